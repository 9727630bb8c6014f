namespace DataMesh.Local.Azurite;

/// <summary>
/// A file held open with <see cref="FileShare.None"/> so that only one process at a time runs a
/// check-then-act section (install Azurite, start the shared instance). The operating system releases it
/// when the holder dies, so a killed process never leaves the lock taken. The file itself stays behind:
/// deleting it on release would let two processes lock two different files under the same name.
/// </summary>
internal sealed class ExclusiveLockFile : IDisposable
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(100);

    private readonly FileStream _stream;

    private ExclusiveLockFile(FileStream stream)
    {
        _stream = stream;
    }

    public static async Task<ExclusiveLockFile> AcquireAsync(string path, TimeSpan timeout, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 1, FileOptions.None);
                return new ExclusiveLockFile(stream);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                // Another process holds it: wait for that process to finish its section.
            }
            catch (IOException exception)
            {
                throw new TimeoutException(
                    $"Another process has held the lock file '{path}' for over {timeout.TotalSeconds:0} s. " +
                    "If no other datamesh process is running, delete that file and retry.",
                    exception);
            }

            await Task.Delay(RetryDelay, cancellationToken).ConfigureAwait(false);
        }
    }

    public void Dispose() => _stream.Dispose();
}
