using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using DataMesh.Pipeline;
using DataMesh.Specs;
using DataMesh.Storage;

namespace DataMesh.Quarantine;

/// <summary>
/// The inputs in each domain's <c>quarantine</c> container and their <c>.error.json</c>: lists them, reads one, and
/// moves one back to landing for a replay. The same code serves <c>datamesh quarantine</c>, the domain app's operator
/// routes and the catalog's listing; it knows nothing of either host.
/// </summary>
public sealed class QuarantineClient(MeshStorage storage, IProductRegistry products, TimeProvider? time = null)
{
    /// <summary>The suffix of the record that says why a file was quarantined (written by <see cref="QuarantineActivity"/>).</summary>
    public const string ErrorSuffix = ".error.json";

    /// <summary>The <see cref="PipelineRequest.Trigger"/> of a replayed quarantined file.</summary>
    public const string ReplayTrigger = "replay";

    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>
    /// Every quarantined file of <paramref name="productId"/> (null: of every product served here), newest first. A file
    /// whose record is missing is listed by its landing path's product, without a reason.
    /// </summary>
    public async Task<IReadOnlyList<QuarantinedFile>> ListAsync(string? productId = null, CancellationToken cancellationToken = default)
    {
        var domains = productId is null
            ? products.All.Select(p => p.Domain).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList()
            : [products.Get(productId).Domain];
        var files = new List<QuarantinedFile>();
        foreach (var domain in domains)
        {
            var container = storage.Quarantine(domain);
            var blobs = new Dictionary<string, BlobItem>(StringComparer.Ordinal);
            try
            {
                await foreach (var item in container.GetBlobsAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
                {
                    blobs[item.Name] = item;
                }
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                continue; // no quarantine container yet: nothing quarantined in that domain
            }

            foreach (var (name, item) in blobs)
            {
                var isRecord = name.EndsWith(ErrorSuffix, StringComparison.Ordinal);
                // A record whose file is not there is still listed: a name with '.'/'..' segments is recorded but left in landing.
                if (isRecord && blobs.ContainsKey(name[..^ErrorSuffix.Length]))
                {
                    continue;
                }

                var file = await ReadAsync(container, domain, isRecord ? name[..^ErrorSuffix.Length] : name, isRecord ? null : item, hasRecord: isRecord || blobs.ContainsKey(name + ErrorSuffix), cancellationToken).ConfigureAwait(false);
                if (productId is null || file.ProductId == productId)
                {
                    files.Add(file);
                }
            }
        }

        return files.OrderByDescending(f => f.QuarantinedAt).ThenBy(f => f.File, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// The quarantined file named <paramref name="file"/> (its name in the quarantine container) in any domain served
    /// here, or in <paramref name="domain"/> only; null when none holds it.
    /// </summary>
    /// <exception cref="InvalidOperationException">Several domains hold a file of that name and no domain was given.</exception>
    public async Task<QuarantinedFile?> FindAsync(string file, string? domain = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(file);
        var domains = domain is not null ? [domain] : products.All.Select(p => p.Domain).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var found = new List<QuarantinedFile>();
        foreach (var candidate in domains)
        {
            var container = storage.Quarantine(candidate);
            BlobProperties? properties = null;
            try
            {
                properties = (await container.GetBlobClient(file).GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                if (!await container.GetBlobClient(file + ErrorSuffix).ExistsAsync(cancellationToken).ConfigureAwait(false))
                {
                    continue;
                }
            }

            var item = properties is null ? null : BlobsModelFactory.BlobItem(file, properties: BlobsModelFactory.BlobItemProperties(true, contentLength: properties.ContentLength, lastModified: properties.LastModified));
            found.Add(await ReadAsync(container, candidate, file, item, hasRecord: true, cancellationToken).ConfigureAwait(false));
        }

        return found.Count switch
        {
            0 => null,
            1 => found[0],
            _ => throw new InvalidOperationException($"Quarantined file '{file}' is in several domains ({string.Join(", ", found.Select(f => f.Domain))}): say which with --domain."),
        };
    }

    /// <summary>
    /// Moves <paramref name="file"/> back to landing under its landing name — copied only if landing holds no file of
    /// that name (a newer arrival is never overwritten), then removed from quarantine with its record — and returns the
    /// run that replays it, under a new run id. A run that fails again quarantines it again with the new reason.
    /// </summary>
    /// <exception cref="InvalidOperationException">It cannot go back as it is (a refused name, no product, or landing holds that name).</exception>
    public async Task<QuarantineReplay> MoveToLandingAsync(QuarantinedFile file, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (file.NotReplayable is { } why)
        {
            throw new InvalidOperationException($"Quarantined file '{file.File}' cannot be replayed: {why}");
        }

        var spec = products.All.FirstOrDefault(p => p.Id == file.ProductId)
            ?? throw new InvalidOperationException($"Quarantined file '{file.File}' belongs to no product served here ({file.ProductId ?? "its .error.json names none"}).");
        var source = storage.Quarantine(file.Domain).GetBlobClient(file.File);
        var target = storage.Landing(file.Domain).GetBlobClient(file.LandingName);
        try
        {
            var download = await source.DownloadStreamingAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            await using var stream = download.Value.Content;
            await target.UploadAsync(stream, new BlobUploadOptions
            {
                HttpHeaders = new BlobHttpHeaders { ContentType = download.Value.Details.ContentType },
                Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            throw new InvalidOperationException(
                $"Landing already holds '{file.LandingName}' of {spec.Id} (a newer arrival, which runs as its own run): the quarantined file stays where it is. Replay it once that file has run, or remove it from landing first.", ex);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            throw new InvalidOperationException($"Quarantined file '{file.File}' is no longer in quarantine of domain {file.Domain} (replayed or removed meanwhile).", ex);
        }

        // Now in landing: the quarantined copy and its record go (the file first, so a file is never listed without its reason).
        await source.DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        await storage.Quarantine(file.Domain).GetBlobClient(file.File + ErrorSuffix).DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        var request = new PipelineRequest
        {
            RunId = $"{spec.Id}-replay-{_time.GetUtcNow():yyyyMMddTHHmmssfff}-{Guid.NewGuid().ToString("N")[..8]}",
            ProductId = spec.Id,
            LandingBlobs = [file.LandingName!],
            Trigger = ReplayTrigger,
        };
        return new QuarantineReplay(file, request);
    }

    /// <summary>
    /// Why a quarantined input cannot be put back in landing as it is, null when it can: the file was left in landing
    /// (only its record is in quarantine), or its landing name was refused (<see cref="LandingBlobNames.Problem"/>).
    /// Names the kind of problem only, never the name nor any value: the domain announces it to the hub
    /// (<see cref="Events.QuarantinedInput"/>) as well as showing it.
    /// </summary>
    /// <param name="landingName">The name it had in landing; null when unknown.</param>
    /// <param name="fileHere">Whether the quarantine holds the file itself (not only its record).</param>
    public static string? NotReplayableReason(string? landingName, bool fileHere)
    {
        if (!fileHere)
        {
            return "only its record is here: the file was left in landing (see the reason).";
        }

        var problem = landingName is null ? "unknown" : LandingBlobNames.Problem(landingName);
        return problem is null ? null : $"its landing name was refused ({problem}); upload it again under a name the platform processes.";
    }

    /// <summary>Whether <paramref name="productId"/> is a product served here (its quarantine can be read).</summary>
    public bool Serves(string productId) => products.All.Any(p => p.Id == productId);

    /// <summary><paramref name="file"/> with its reason taken out of data values (<see cref="ErrorRedaction"/>), for readers outside the domain.</summary>
    public QuarantinedFile Redacted(QuarantinedFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        return products.All.FirstOrDefault(p => p.Id == file.ProductId) is { } spec && file.Reason is { } reason
            ? file with { Reason = ErrorRedaction.Redact(spec, reason) }
            : file;
    }

    private async Task<QuarantinedFile> ReadAsync(BlobContainerClient container, string domain, string name, BlobItem? item, bool hasRecord, CancellationToken cancellationToken)
    {
        JsonObject? record = null;
        if (hasRecord)
        {
            try
            {
                var content = (await container.GetBlobClient(name + ErrorSuffix).DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value.Content;
                record = JsonNode.Parse(content.ToString()) as JsonObject;
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                // Removed since it was listed: the file is shown without its reason.
            }
            catch (JsonException)
            {
                // Not the platform's record (written by hand): shown without a reason rather than hidden.
            }
        }

        var landingName = Text(record, "blob") ?? (name.StartsWith(LandingBlobNames.RefusedNamesFolder, StringComparison.Ordinal) ? null : name);
        var productId = Text(record, "product")
            ?? products.All.Where(p => p.Domain == domain).FirstOrDefault(p => p.Inputs.Any(i => i.IsLanding && name.StartsWith(i.Landing!.Path, StringComparison.Ordinal)))?.Id;
        var at = DateTimeOffset.TryParse(Text(record, "quarantinedAt"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed) ? parsed : item?.Properties.LastModified;
        var notReplayable = NotReplayableReason(landingName, fileHere: item is not null);
        return new QuarantinedFile
        {
            File = name,
            Domain = domain,
            ProductId = productId,
            LandingName = landingName,
            Version = Text(record, "version"),
            RunId = Text(record, "runId"),
            Stage = Text(record, "stage"),
            Reason = Text(record, "reason"),
            QuarantinedAt = at,
            Size = item?.Properties.ContentLength ?? 0,
            FailedRules = record?["failedRules"] is JsonArray rules ? rules.OfType<JsonObject>().Select(r => (JsonObject)r.DeepClone()).ToList() : [],
            NotReplayable = notReplayable,
            KeptInLanding = item is null,
        };
    }

    private static string? Text(JsonObject? record, string name) =>
        record?[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}
