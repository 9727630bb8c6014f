using System.IO.Pipelines;
using System.Security.Cryptography;
using Azure;
using Azure.Storage.Blobs.Models;
using DataMesh.Specs;
using DataMesh.Storage;

namespace DataMesh.Pipeline;

/// <summary>Copies landing blobs into a run's folder, pinned by ETag so every stage reads the same bytes.</summary>
internal static class LandingFiles
{
    /// <summary>
    /// Downloads a planned landing file into the run folder and hands its bytes, as they arrive, to
    /// <paramref name="inspect"/> (which must read them to the end or throw), hashing them on the way. Two loops run at
    /// once: one reads the network and writes the file, the other hashes and inspects, so checking the file costs no
    /// second pass and overlaps the transfer. An inspection failure stops the download and is rethrown.
    /// </summary>
    public static async Task<IngestedFile> DownloadAsync(
        PipelineRuntime runtime, ProductSpec spec, RunWorkspace workspace, PlannedFile file, Action<Stream, long> inspect, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(inspect);
        var (inputName, blobName, index) = (file.InputName, file.BlobName, file.Index);
        // A replayed input (backfill, or the newest file of an input the trigger did not name) is read from the archive.
        var blob = (file.Archived ? runtime.StorageFor(spec.Domain).Archive(spec.Domain) : runtime.StorageFor(spec.Domain).Landing(spec.Domain)).GetBlobClient(blobName);
        var directory = workspace.InputDirectory(inputName);
        Directory.CreateDirectory(directory);
        var localName = Path.Combine(RunWorkspace.SafeName(inputName), $"{index:D4}-{RunWorkspace.SafeName(Path.GetFileName(blobName))}");
        var localPath = Path.Combine(workspace.InputsDirectory, localName);
        Response<BlobDownloadStreamingResult> download;
        try
        {
            // The version the run planned (pinned by resolve), never a newer upload under the same name.
            var conditions = file.ETag is { } pinned ? new BlobRequestConditions { IfMatch = new ETag(pinned) } : null;
            download = await blob.DownloadStreamingAsync(new BlobDownloadOptions { Conditions = conditions }, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            throw new InputRejectedException($"Landing blob '{blobName}' of {spec.Id} no longer exists in container '{blob.BlobContainerName}'.", ex);
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            throw new InputRejectedException($"Landing blob '{blobName}' of {spec.Id} was replaced after the run planned it (ETag {file.ETag}); the new file runs as its own run.", ex);
        }

        using var result = download.Value;
        var length = result.Details.ContentLength;
        if (length > runtime.Options.MaxInputBytes)
        {
            throw new InputRejectedException($"Landing file '{blobName}' refused: it is {length:N0} bytes, over the limit of {runtime.Options.MaxInputBytes:N0} bytes (PipelineOptions.MaxInputBytes).");
        }

        // The network loop runs ahead of the checks by at most a few MB.
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 8 << 20, resumeWriterThreshold: 4 << 20, useSynchronizationContext: false));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var transfer = TransferAsync(result.Content, localPath, pipe.Writer, stop.Token);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long size;
        try
        {
            size = await Task.Factory.StartNew(
                () =>
                {
                    using var hashing = new HashingStream(pipe.Reader.AsStream(), hash);
                    inspect(hashing, length);
                    hashing.Drain();
                    return hashing.BytesRead;
                },
                stop.Token,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default).ConfigureAwait(false);
        }
        catch
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await pipe.Reader.CompleteAsync().ConfigureAwait(false);
            try
            {
                await transfer.ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or RequestFailedException)
            {
                // The transfer was stopped because the file was refused: the refusal is the error to report.
            }

            throw;
        }

        await transfer.ConfigureAwait(false);
        await pipe.Reader.CompleteAsync().ConfigureAwait(false);
        var etag = result.Details.ETag.ToString();
        var landing = new LandingBlob(blob.BlobContainerName, blobName, etag, size, Convert.ToHexStringLower(hash.GetHashAndReset()));
        return new IngestedFile(inputName, landing, localName);
    }

    /// <summary>Network → file and → pipe, chunk by chunk; completes the pipe (with the error, if any).</summary>
    private static async Task TransferAsync(Stream source, string localPath, PipeWriter writer, CancellationToken cancellationToken)
    {
        try
        {
            await using (source.ConfigureAwait(false))
            {
                var target = new FileStream(localPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
                await using (target.ConfigureAwait(false))
                {
                    while (true)
                    {
                        var memory = writer.GetMemory(1 << 16);
                        var read = await source.ReadAsync(memory, cancellationToken).ConfigureAwait(false);
                        if (read == 0)
                        {
                            break;
                        }

                        await target.WriteAsync(memory[..read], cancellationToken).ConfigureAwait(false);
                        writer.Advance(read);
                        var flushed = await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
                        if (flushed.IsCompleted)
                        {
                            return; // the reader stopped: the file was refused
                        }
                    }
                }
            }

            await writer.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            await writer.CompleteAsync(ex).ConfigureAwait(false);
            throw;
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
        // The container ingest read it from: landing, or the archive for a replayed input.
        var blob = runtime.StorageFor(spec.Domain).Domain(spec.Domain).ContainerNamed(file.Blob.Container).GetBlobClient(file.Blob.Name);
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

    /// <summary>Rejects blob names the platform does not process (<see cref="LandingBlobNames.Problem"/>): the input is quarantined.</summary>
    public static void ValidateName(string blobName)
    {
        if (LandingBlobNames.Problem(blobName) is { } problem)
        {
            throw new InputRejectedException($"Landing blob name '{LandingBlobNames.Printable(blobName)}' is not allowed ({problem}); rename it (at most {LandingBlobNames.MaxLength} characters, no control characters, no '.' or '..' segments) and drop it again.");
        }
    }

    /// <summary>A read-only pass-through that hashes and counts what is read.</summary>
    private sealed class HashingStream(Stream inner, IncrementalHash hash) : ForwardReadStream
    {
        public long BytesRead { get; private set; }

        public override long Position { get => BytesRead; }

        public override int Read(Span<byte> buffer)
        {
            var read = inner.Read(buffer);
            hash.AppendData(buffer[..read]);
            BytesRead += read;
            return read;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
