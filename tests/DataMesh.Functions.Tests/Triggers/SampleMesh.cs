using DataMesh.Pipeline;
using DataMesh.Specs;
using DataMesh.Storage;

namespace DataMesh.Functions.Tests.Triggers;

/// <summary>
/// The repository's sample products (finance.ledger-emea on <c>ledger/emea/</c>, supply-chain.stock-levels on
/// <c>wms/stock/</c>) plus finance.ledger-emea-adjustments on the nested path <c>ledger/emea/adjustments/</c>.
/// </summary>
internal static class SampleMesh
{
    internal const string Ledger = "finance.ledger-emea";
    internal const string Adjustments = "finance.ledger-emea-adjustments";
    internal const string Stock = "supply-chain.stock-levels";

    internal static ProductRegistry Products()
    {
        var registry = ProductRegistry.LoadFrom(RepositoryRoot.Combine("pipelines"));
        var ledger = registry.Get(Ledger);
        var landing = ledger.Inputs.Single(i => i.IsLanding);
        registry.Add(ledger with
        {
            Name = "ledger-emea-adjustments",
            Inputs = [landing with { Landing = landing.Landing! with { Path = "ledger/emea/adjustments/" } }],
        });
        return registry;
    }

    /// <summary>Storage named as in Azure (one account per domain: plain <c>landing</c>); no request is ever sent.</summary>
    internal static MeshStorage AzureStorage() =>
        MeshStorage.FromConnectionString("UseDevelopmentStorage=true", new MeshStorageOptions { DomainPrefixedContainers = false });

    /// <summary>Storage named as on the local mesh (<c>finance-landing</c>, <c>supply-chain-landing</c>).</summary>
    internal static MeshStorage LocalStorage() =>
        MeshStorage.FromConnectionString("UseDevelopmentStorage=true", new MeshStorageOptions { DomainPrefixedContainers = true });
}
