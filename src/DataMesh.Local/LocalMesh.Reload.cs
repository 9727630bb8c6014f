using System.Security.Cryptography;
using System.Text;
using DataMesh.Catalog;
using DataMesh.Governance;
using DataMesh.Local.EventGrid;
using DataMesh.Pipeline;
using DataMesh.Specs;
using DataMesh.Storage;
using Microsoft.Extensions.Logging;

namespace DataMesh.Local;

/// <summary>
/// Reloading the specs of a running mesh (<c>datamesh up</c> watching <c>pipelines/</c>): the whole mesh is validated
/// as a start validates it; an invalid edit leaves the mesh on the specs it had, a valid one replaces them at once, with
/// everything derived from them derived again (read grants, upstream subscriptions, landing paths, catalog registrations).
/// </summary>
public sealed partial class LocalMesh
{
    private const string MeshFileKey = "\0" + MeshPoliciesLoader.MeshFileName;

    private readonly SemaphoreSlim _reloading = new(1, 1);
    private LocalMeshOptions _options = new();
    private string _stateDirectory = "";

    // The fingerprint of pipelines/ taken just before the start loaded it: an edit made after that is seen as one.
    private string _loadedFolderPrint = "";

    // A fingerprint of each product's folder (samples aside) and of mesh.yaml, as last loaded: what a reload compares.
    private IReadOnlyDictionary<string, string> _specPrints = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// Loads the mesh's specs again from disk and, when they pass the checks a start makes (<see cref="LoadSpecs"/>),
    /// serves them from now on: a new domain gets its containers, masking key, event topic and relay; every topic's
    /// subscriptions follow the products read now; the catalog registers the products (with their declared inputs) and
    /// trusts the domains' accounts as a start would; read grants follow the specs at each run's next use of storage
    /// (a consumer newly admitted is granted, one no longer admitted or no longer reading is not). The registry is
    /// replaced in one step; a run in progress keeps the specs it started with (<see cref="PipelineRuntime.ProductsOf"/>).
    /// With errors, nothing changes and the result carries them.
    /// </summary>
    public async Task<SpecReload> ReloadSpecsAsync(CancellationToken cancellationToken = default)
    {
        await _reloading.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ProductRegistry products;
            MeshPolicies? policies;
            try
            {
                (products, policies) = LoadSpecs(_options);
            }
            catch (SpecValidationException ex)
            {
                return SpecReload.Invalid(ex.Diagnostics);
            }

            var prints = SpecPrints(products, _options);
            var before = Products.All;
            var after = products.All;
            var beforeIds = before.Select(p => p.Id).ToHashSet(StringComparer.Ordinal);
            var afterIds = after.Select(p => p.Id).ToHashSet(StringComparer.Ordinal);
            var grantsBefore = Grants(before);
            var grantsAfter = Grants(after);

            // What the new specs need exists before any of them is served.
            var subscriptions = MeshTopicSubscriptions.For(products, Storage);
            var newDomains = after.Select(p => p.Domain).Distinct(StringComparer.Ordinal).Where(d => !EventTopic.Domains.Contains(d)).Order(StringComparer.Ordinal).ToList();
            foreach (var domain in newDomains)
            {
                await Storage.EnsureDomainAsync(domain, cancellationToken).ConfigureAwait(false);
                Runtime.Options.MaskingKeys.TryAdd(domain, StateSecret(Path.Combine(_stateDirectory, MaskingKeysFolder), domain));
                await EventTopic.AddDomainAsync(domain, StateSecret(Path.Combine(_stateDirectory, EventTopicKeysFolder), domain), subscriptions, cancellationToken).ConfigureAwait(false);
            }

            EventTopic.Resubscribe(subscriptions);
            _projection = new CatalogProjection(
                Storage, releases: new DataMesh.Publishing.AnnouncedReleaseCheck(Storage), domains: LocalDomainRegistry.For(products, Storage), logger: _options.LoggerFactory.CreateLogger<CatalogProjection>());
            if (newDomains.Count > 0)
            {
                _relays = Relays(_storage, EventTopic, Events, _options.LoggerFactory);
            }

            await _projection.RegisterProductsAsync(ProductRegistration.FromSpecs(after, after), cancellationToken).ConfigureAwait(false);
            Runtime.Policies = policies;
            Products.ReplaceWith(products);
            var previous = _specPrints;
            _specPrints = prints;
            return new SpecReload(
                [],
                [.. afterIds.Except(beforeIds).Order(StringComparer.Ordinal)],
                [.. beforeIds.Except(afterIds).Order(StringComparer.Ordinal)],
                [.. afterIds.Intersect(beforeIds).Where(id => previous.GetValueOrDefault(id) != prints.GetValueOrDefault(id)).Order(StringComparer.Ordinal)],
                previous.GetValueOrDefault(MeshFileKey) != prints.GetValueOrDefault(MeshFileKey),
                [.. grantsAfter.Except(grantsBefore)],
                [.. grantsBefore.Except(grantsAfter)]);
        }
        finally
        {
            _reloading.Release();
        }
    }

    /// <summary>
    /// A fingerprint of the files under <c>pipelines/</c> (their paths, sizes and write times; <c>samples/</c> folders
    /// aside): what the serve loop polls to see the specs edited. Empty when the mesh does not load that folder.
    /// </summary>
    private static string SpecFolderPrint(LocalMeshOptions options)
    {
        var root = Path.Combine(options.RootDirectory, "pipelines");
        if (!options.LoadPipelinesFolder || !Directory.Exists(root))
        {
            return "";
        }

        var text = new StringBuilder();
        foreach (var file in SpecFiles(root))
        {
            var info = new FileInfo(file);
            text.Append(Path.GetRelativePath(root, file)).Append('\0').Append(info.Length).Append('\0').Append(info.LastWriteTimeUtc.Ticks).Append('\n');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>Each product's folder content (samples aside) and mesh.yaml's, hashed: a reload says which products changed.</summary>
    private static Dictionary<string, string> SpecPrints(ProductRegistry products, LocalMeshOptions options)
    {
        var prints = products.All.ToDictionary(p => p.Id, p => ContentPrint(SpecFiles(p.Directory)), StringComparer.Ordinal);
        var meshFile = MeshFile(options);
        prints[MeshFileKey] = File.Exists(meshFile) ? ContentPrint([meshFile]) : "";
        return prints;
    }

    private static string ContentPrint(IEnumerable<string> files)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in files)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(Path.GetFileName(file) + "\0"));
            hash.AppendData(File.ReadAllBytes(file));
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>The files under <paramref name="root"/>, sorted, without those in a <c>samples</c> folder (data, not specs).</summary>
    private static IEnumerable<string> SpecFiles(string root) =>
        !Directory.Exists(root)
            ? []
            : Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
                .Where(f => !Path.GetRelativePath(root, f).Split(Path.DirectorySeparatorChar).Contains("samples", StringComparer.Ordinal))
                .Order(StringComparer.Ordinal);

    /// <summary>Every read grant the specs give (<see cref="ProductReadGrants"/>), consumer domain to upstream domain.</summary>
    private static HashSet<ReadGrant> Grants(IReadOnlyCollection<ProductSpec> products) =>
        products.Select(p => p.Domain).Distinct(StringComparer.Ordinal)
            .SelectMany(consumer => ProductReadGrants.UpstreamDomains(products, consumer).Select(upstream => new ReadGrant(consumer, upstream)))
            .ToHashSet();
}

/// <summary>A read grant: <see cref="Consumer"/>'s pipelines may read <see cref="Upstream"/>'s <c>products</c> container.</summary>
public sealed record ReadGrant(string Consumer, string Upstream)
{
    public override string ToString() => $"{Consumer} reads {Upstream}";
}

/// <summary>What a reload of the specs did (<see cref="LocalMesh.ReloadSpecsAsync"/>).</summary>
/// <param name="Errors">The problems found; when any, nothing was reloaded and the mesh runs on the specs it had.</param>
/// <param name="Added">Products new in the specs.</param>
/// <param name="Removed">Products no longer in the specs.</param>
/// <param name="Changed">Products whose folder changed (spec, contract, transform).</param>
/// <param name="PoliciesChanged">Whether <c>mesh.yaml</c> changed.</param>
/// <param name="GrantsAdded">Read grants the new specs give and the old did not.</param>
/// <param name="GrantsRevoked">Read grants the old specs gave and the new do not.</param>
public sealed record SpecReload(
    IReadOnlyList<SpecDiagnostic> Errors,
    IReadOnlyList<string> Added,
    IReadOnlyList<string> Removed,
    IReadOnlyList<string> Changed,
    bool PoliciesChanged,
    IReadOnlyList<ReadGrant> GrantsAdded,
    IReadOnlyList<ReadGrant> GrantsRevoked)
{
    /// <summary>True when the new specs are served.</summary>
    public bool Applied => Errors.Count == 0;

    /// <summary>A reload refused for <paramref name="errors"/>.</summary>
    public static SpecReload Invalid(IReadOnlyList<SpecDiagnostic> errors) => new(errors, [], [], [], false, [], []);

    /// <summary>One line saying what changed, or why nothing did.</summary>
    public string Summary()
    {
        if (!Applied)
        {
            return $"Specs not reloaded: {Errors.Count} error(s) (above); still running on the previous specs.";
        }

        var parts = new List<string>();
        Add("products added", Added);
        Add("removed", Removed);
        Add("changed", Changed);
        if (PoliciesChanged)
        {
            parts.Add("mesh.yaml changed");
        }

        Add("grants added", GrantsAdded.Select(g => g.ToString()).Order(StringComparer.Ordinal).ToList());
        Add("grants revoked", GrantsRevoked.Select(g => g.ToString()).Order(StringComparer.Ordinal).ToList());
        return parts.Count == 0 ? "Specs reloaded: nothing changed." : $"Specs reloaded: {string.Join("; ", parts)}.";

        void Add(string what, IReadOnlyList<string> items)
        {
            if (items.Count > 0)
            {
                parts.Add($"{what} [{string.Join(", ", items)}]");
            }
        }
    }
}
