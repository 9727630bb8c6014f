using DataMesh.Catalog;
using DataMesh.Core.Tests.Events;
using DataMesh.Events;
using DataMesh.Specs;
using DataMesh.Storage;

namespace DataMesh.Core.Tests.Publishing;

/// <summary>What the release maintenance tests (retention, compaction, their announcements) work on: releases of finance.ledger-emea 1.2.0 and a product spec.</summary>
internal static class MaintainedReleases
{
    /// <summary>Releases 1 to <paramref name="count"/> of finance.ledger-emea 1.2.0, one row each, written at <paramref name="at"/>; in <paramref name="catalog"/> too when given.</summary>
    public static async Task PublishAsync(MeshStorage storage, int count, DateTimeOffset at, CatalogProjection? catalog = null)
    {
        using var chain = new SnapshotChain(storage, "finance", "ledger-emea", "1.2.0");
        for (var release = 1; release <= count; release++)
        {
            await chain.WriteAsync(release, at, [("part-0.parquet", release, release + 1)], mode: OutputMode.Replace);
            if (catalog is not null)
            {
                await catalog.ApplyAsync(ProductEventFactory.CreateProductVersionPublished(SampleEvents.Published(release: release)));
            }
        }
    }

    /// <summary>A product spec of <paramref name="domain"/>.<paramref name="name"/> <paramref name="version"/> appending to its output, with an empty contract.</summary>
    public static ProductSpec Spec(string domain, string name, string version) => new()
    {
        Domain = domain,
        Name = name,
        Version = version,
        Inputs = [],
        TransformSqlPath = "transform.sql",
        Output = new OutputSpec { Contract = "contract.odcs.yaml", Mode = OutputMode.Append },
        Directory = Path.GetTempPath(),
        SpecPath = Path.Combine(Path.GetTempPath(), "product.yaml"),
        Contract = new Contracts.DataContract { ApiVersion = "v3.1.0", Id = "urn:test:" + name, Version = "1.0.0", Path = "contract.odcs.yaml", Schema = [] },
        TransformSql = "",
    };
}
