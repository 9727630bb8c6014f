using Azure;
using DataMesh.Publishing;
using DataMesh.Specs;
using DataMesh.Storage;

namespace DataMesh.Pipeline;

/// <summary>
/// Plans <c>datamesh run PRODUCT_ID</c> without <c>--input</c>: a deliberate rebuild of a product (e.g. after its SQL
/// was fixed) under a new run id. Upstream inputs read their newest release in range, as any run; landing inputs read
/// the files of the product's newest release as archived (its manifest's landing lineage), and an input that release
/// did not read (or a product that never published) its newest file in landing or the archive. Reads only.
/// </summary>
public static class RerunPlanner
{
    /// <summary>The <see cref="PipelineRequest.Trigger"/> of a rerun.</summary>
    public const string Trigger = "rerun";

    /// <summary>The rerun of <paramref name="spec"/>, and what it reads from the newest release ("" when nothing).</summary>
    public static async Task<(PipelineRequest Request, string Reads)> PlanAsync(MeshStorage storage, ProductSpec spec, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(spec);
        var archived = new List<string>();
        var reads = "";
        if (spec.Inputs.Any(i => i.IsLanding))
        {
            var store = new ReleaseStore(storage.Products(spec.Domain));
            if (await store.LatestReleaseAsync(spec.Name, _ => true, cancellationToken).ConfigureAwait(false) is { } latest
                && await store.ReadManifestAsync(latest.Folder, cancellationToken).ConfigureAwait(false) is { } manifest)
            {
                var archive = storage.Archive(spec.Domain);
                foreach (var name in manifest.Lineage.Landing.Select(l => l.Name).Distinct(StringComparer.Ordinal))
                {
                    try
                    {
                        if (await archive.GetBlobClient(name).ExistsAsync(cancellationToken).ConfigureAwait(false))
                        {
                            archived.Add(name);
                        }
                    }
                    catch (RequestFailedException ex) when (ex.Status == 404)
                    {
                        // No archive container: the release's inputs were never archived; the newest files are read.
                    }
                }

                reads = archived.Count > 0 ? $"the {archived.Count} archived input(s) of release {latest.Version}#{latest.Release}" : "";
            }
        }

        var request = new PipelineRequest
        {
            RunId = $"{spec.Id}-rerun-{(time ?? TimeProvider.System).GetUtcNow():yyyyMMddTHHmmssfff}-{Guid.NewGuid().ToString("N")[..8]}",
            ProductId = spec.Id,
            ArchivedBlobs = archived,
            Trigger = Trigger,
        };
        return (request, reads);
    }
}
