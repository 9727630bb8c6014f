using System.Security.Cryptography;
using Azure;
using Azure.Storage.Blobs.Models;
using DataMesh.Specs;

namespace DataMesh.Pipeline;

/// <summary>Copies landing blobs into a run's folder, pinned by ETag so every stage reads the same bytes.</summary>
internal static class LandingFiles
{
    /// <summary>Downloads a planned landing file into the run folder, streaming and hashing as it goes.</summary>
    public static async Task<IngestedFile> DownloadAsync(PipelineRuntime runtime, ProductSpec spec, RunWorkspace workspace, PlannedFile file, CancellationToken cancellationToken)
    {
        var (inputName, blobName, index) = (file.InputName, file.BlobName, file.Index);
        var blob = runtime.Storage.Landing(spec.Domain).GetBlobClient(blobName);
        var directory = workspace.InputDirectory(inputName);
        Directory.CreateDirectory(directory);
        var localName = Path.Combine(RunWorkspace.SafeName(inputName), $"{index:D4}-{RunWorkspace.SafeName(Path.GetFileName(blobName))}");
        var localPath = Path.Combine(workspace.InputsDirectory, localName);
        try
        {
            var download = await blob.DownloadStreamingAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            var length = download.Value.Details.ContentLength;
            if (length > runtime.Options.MaxInputBytes)
            {
                download.Value.Dispose();
                throw new InputRejectedException($"Landing file '{blobName}' refused: it is {length:N0} bytes, over the limit of {runtime.Options.MaxInputBytes:N0} bytes (PipelineOptions.MaxInputBytes).");
            }

            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long size = 0;
            await using (var source = download.Value.Content)
            await using (var target = new FileStream(localPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                var buffer = new byte[1 << 16];
                int read;
                while ((read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                    await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                    size += read;
                }
            }

            var etag = download.Value.Details.ETag.ToString();
            var landing = new LandingBlob(blob.BlobContainerName, blobName, etag, size, Convert.ToHexStringLower(hash.GetHashAndReset()));
            return new IngestedFile(inputName, landing, localName);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            throw new InputRejectedException($"Landing blob '{blobName}' of {spec.Id} no longer exists in container '{blob.BlobContainerName}'.", ex);
        }
    }

    /// <summary>
    /// Makes sure a file ingested earlier in the run is on this machine (activities may run on another instance,
    /// or after a restart): downloads it again, only if the landing blob still has the ETag ingest saw.
    /// </summary>
    public static async Task<string> EnsureLocalAsync(PipelineRuntime runtime, ProductSpec spec, RunWorkspace workspace, IngestedFile file, CancellationToken cancellationToken)
    {
        var localPath = Path.Combine(workspace.InputsDirectory, file.LocalName);
        if (File.Exists(localPath) && new FileInfo(localPath).Length == file.Blob.Size)
        {
            return localPath;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(localPath)!);
        var blob = runtime.Storage.Landing(spec.Domain).GetBlobClient(file.Blob.Name);
        try
        {
            await blob.DownloadToAsync(
                localPath,
                new BlobDownloadToOptions { Conditions = new BlobRequestConditions { IfMatch = new ETag(file.Blob.ETag) } },
                cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            throw new InputRejectedException($"Landing blob '{file.Blob.Name}' of {spec.Id} changed or vanished during the run (ETag {file.Blob.ETag}); drop it again.", ex);
        }

        return localPath;
    }

    /// <summary>Rejects blob names a path could escape with: traversal, rooted names, control characters.</summary>
    public static void ValidateName(string blobName)
    {
        if (string.IsNullOrWhiteSpace(blobName) || blobName.StartsWith('/') || blobName.Any(char.IsControl)
            || blobName.Split('/').Any(segment => segment is ".." or "."))
        {
            throw new InputRejectedException($"Landing blob name '{Printable(blobName)}' is not allowed (traversal, rooted path or control characters).");
        }
    }

    private static string Printable(string name) => new(name.Select(c => char.IsControl(c) ? '?' : c).ToArray());
}
