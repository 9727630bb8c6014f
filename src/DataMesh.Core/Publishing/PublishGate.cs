using DataMesh.Catalog;
using DataMesh.Contracts;
using DataMesh.Governance;
using DataMesh.Pipeline;
using DataMesh.Specs;
using Semver;

namespace DataMesh.Publishing;

/// <summary>
/// Governance enforced again at publish (it was first enforced by <c>datamesh validate</c>): the mesh policies must
/// pass for the product, and its contract may not break the newest release under the same major version.
/// </summary>
public static class PublishGate
{
    /// <summary>Name of the contract snapshot stored in each release folder, for later compatibility checks.</summary>
    public const string ContractSnapshotName = "_contract.odcs.yaml";

    /// <summary>
    /// Throws <see cref="PipelineStageException"/> (stage publish) when an <c>output.partitionBy</c> column is masked or
    /// classified (<see cref="PartitionColumns"/>): its clear values would be the release's folder names. The spec loader
    /// refuses such a spec already; this holds for specs that never went through it.
    /// </summary>
    public static void CheckPartitionColumns(ProductSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var output = spec.Contract.Schema.FirstOrDefault();
        var refused = spec.Output.PartitionBy
            .Select(column => (column, property: output?.Properties.FirstOrDefault(p => string.Equals(p.Name, column, StringComparison.OrdinalIgnoreCase))))
            .Where(c => c.property is not null && PartitionColumns.Protection(c.property) is not null)
            .Select(c => PartitionColumns.Refusal(c.column, PartitionColumns.Protection(c.property!)!))
            .ToList();
        if (refused.Count > 0)
        {
            throw new PipelineStageException("publish", $"{spec.Id}: output.partitionBy in {spec.SpecPath}: {string.Join(" ", refused)} Nothing was published.");
        }
    }

    /// <summary>Throws <see cref="PipelineStageException"/> (stage publish) when a mesh policy fails for <paramref name="spec"/>.</summary>
    public static void CheckPolicies(ProductSpec spec, IProductRegistry products, MeshPolicies? policies, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(products);
        if (policies is null)
        {
            return;
        }

        var findings = PolicyEngine.Evaluate([spec], policies, new PolicyContext { Time = time, MeshProducts = products.All })
            .Where(d => d.Severity == DiagnosticSeverity.Error)
            .ToList();
        if (findings.Count > 0)
        {
            throw new PipelineStageException("publish", $"{spec.Id}: mesh policies refuse this release: {string.Join(" | ", findings)}");
        }
    }

    /// <summary>
    /// Throws <see cref="PipelineStageException"/> when the contract, against the newest earlier release (any major),
    /// removes, renames, narrows or retypes a column that a consumer of the mesh whose range accepts this version reads,
    /// or leaves such a consumer unable to bind (<see cref="ConsumerImpact"/>): that consumer's next run would fail. The
    /// message names the consumer, its range, the column and where its SQL reads it. Consumers a major bump leaves on
    /// the old major are not refused: they keep reading it.
    /// </summary>
    /// <param name="spec">The product about to publish.</param>
    /// <param name="products">The specs this host holds: consumers among them are judged by binding their SQL.</param>
    /// <param name="store">The product's releases (the previous release's contract snapshot).</param>
    /// <param name="hub">
    /// The mesh hub's catalog, asked for the readers this host does not hold (a domain app holds its own domain's specs
    /// only): their registered column lineage says which columns they read and their range. Asked only when a column
    /// is removed, renamed, narrowed or retyped. Fail-closed: when the hub cannot be asked, such a change is refused
    /// (nothing published, the previous release stays current) rather than risk breaking a consumer unseen. Null: only
    /// <paramref name="products"/> are consumers (the local mesh, which holds every spec).
    /// </param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>What the gate found when it passes (e.g. that no consumer reads the changed columns), for the run's log.</returns>
    public static async Task<string> CheckConsumersAsync(ProductSpec spec, IProductRegistry products, ReleaseStore store, HubCatalogClient? hub = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(products);
        ArgumentNullException.ThrowIfNull(store);
        var current = SemVersion.Parse(spec.Version, SemVersionStyles.Strict);
        var localConsumers = products.All.Any(p => p.Id != spec.Id && p.Inputs.Any(i => i.Product == spec.Id));
        if (!localConsumers && hub is null)
        {
            return $"{spec.Id}: no consumer in the mesh reads it."; // nothing to bind
        }

        var previous = await store.LatestReleaseAsync(spec.Name, v => v.ComparePrecedenceTo(current) <= 0, cancellationToken).ConfigureAwait(false);
        var snapshot = previous is null ? null : await store.ReadTextAsync(previous.Value.Folder + ContractSnapshotName, cancellationToken).ConfigureAwait(false);
        if (snapshot is null || ContractLoader.Parse(snapshot, previous!.Value.Folder + ContractSnapshotName).Contract is not { } old)
        {
            return $"{spec.Id}: no earlier release to compare with.";
        }

        var changes = ContractComparer.Compare(old, spec.Contract).Changes;
        if (changes.Count == 0)
        {
            return $"{spec.Id}: the contract did not change.";
        }

        var broken = new List<string>();
        if (localConsumers)
        {
            var report = ConsumerImpact.Analyze(spec, old, spec.Contract, products.All, spec.Version);
            broken.AddRange(report.Breaks.Select(b => b.Change is { } change
                ? $"{change.Description}: {b.Read.Consumer} reads '{change.Property}' at {b.Read.Location}"
                : $"{b.Read.Consumer} no longer binds at {b.Read.Location} ({b.Read.Detail})"));
        }

        // Consumers this host does not hold (other domains'): what they registered in the hub says which columns they read.
        var readable = changes.Where(c => c.Property is not null && ConsumerImpact.BreakingWhenRead.Contains(c.Kind)).ToList();
        var remoteReaders = 0;
        if (hub is not null && readable.Count > 0)
        {
            CatalogReaders readers;
            try
            {
                readers = await hub.GetReadersAsync(spec.Id, 1, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException ex)
            {
                throw new PipelineStageException(
                    "publish",
                    $"{spec.Id} {spec.Version}: the contract {string.Join("; ", readable.Select(c => c.Description))}, and the mesh hub's catalog ({hub.Endpoint}) could not be asked "
                    + $"which consumers in other domains read those columns ({ex.Message}). Nothing was published (the gate fails closed): run again once the hub answers. The previous release stays current.",
                    ex);
            }

            var held = products.All.Select(p => p.Id).ToHashSet(StringComparer.Ordinal);
            foreach (var change in readable)
            {
                var column = readers.Columns.FirstOrDefault(c => string.Equals(c.Column, change.Property, StringComparison.OrdinalIgnoreCase));
                foreach (var reader in column?.Readers.Where(r => r.Hop == 1 && !held.Contains(r.ProductId)) ?? [])
                {
                    remoteReaders++;
                    var range = reader.Versions ?? "*";
                    if (ConsumerImpact.InRange(spec.Version, range))
                    {
                        broken.Add($"{change.Description}: {reader.ProductId} (input {reader.Input}, versions {range}) reads '{change.Property}'"
                            + (reader.At is { } at ? $" at {at}" : "") + " (its registration in the mesh hub's catalog)");
                    }
                }
            }
        }

        if (broken.Count > 0)
        {
            throw new PipelineStageException(
                "publish",
                $"{spec.Id} {spec.Version}: the contract breaks consumers whose range accepts {spec.Version} (against release {previous.Value.Version}#{previous.Value.Release}): "
                + $"{string.Join("; ", broken)}. Keep the column, change those consumers first, or publish a major version their ranges do not accept (datamesh impact {spec.Id}). The previous release stays current.");
        }

        return readable.Count == 0
            ? $"{spec.Id} {spec.Version}: no column removed, renamed, narrowed or retyped."
            : remoteReaders == 0 && !localConsumers
                ? $"{spec.Id} {spec.Version}: no consumer in the mesh reads {string.Join(", ", readable.Select(c => $"'{c.Property}'"))}."
                : $"{spec.Id} {spec.Version}: no consumer whose range accepts {spec.Version} reads {string.Join(", ", readable.Select(c => $"'{c.Property}'"))}.";
    }

    /// <summary>
    /// Throws <see cref="PipelineStageException"/> when the contract breaks the newest earlier release of the same
    /// major version (a breaking change needs a new major version: consumers pin majors).
    /// </summary>
    public static async Task CheckCompatibilityAsync(ProductSpec spec, ReleaseStore store, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(store);
        var current = SemVersion.Parse(spec.Version, SemVersionStyles.Strict);
        var previous = await store.LatestReleaseAsync(spec.Name, v => v.Major == current.Major && v.ComparePrecedenceTo(current) <= 0, cancellationToken).ConfigureAwait(false);
        if (previous is null)
        {
            return;
        }

        var snapshot = await store.ReadTextAsync(previous.Value.Folder + ContractSnapshotName, cancellationToken).ConfigureAwait(false);
        if (snapshot is null)
        {
            return;
        }

        // An unreadable snapshot cannot be compared; the policies still ran.
        if (ContractLoader.Parse(snapshot, previous.Value.Folder + ContractSnapshotName).Contract is not { } old)
        {
            return;
        }

        var diff = ContractComparer.Compare(old, spec.Contract);
        var breaking = diff.Changes.Where(c => c.Bump == VersionBump.Major).ToList();
        if (breaking.Count > 0)
        {
            throw new PipelineStageException(
                "publish",
                $"{spec.Id} {spec.Version}: the contract breaks release {previous.Value.Version}#{previous.Value.Release} under the same major version "
                + $"({string.Join("; ", breaking.Select(c => c.Description))}); publish it as {current.Major + 1}.0.0. The previous release stays current.");
        }
    }
}
