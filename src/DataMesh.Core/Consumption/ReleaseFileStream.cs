using System.Security.Cryptography;
using DataMesh.Storage;

namespace DataMesh.Consumption;

/// <summary>
/// A release data file (or a range of it) as it streams from storage, read once, front to back. It checks the byte
/// count against what the manifest promised and, when it carries the whole file, the SHA-256 the manifest recorded:
/// the check runs before the last bytes are handed out, so a reader copying it to an HTTP response never delivers a
/// complete body of a file that differs from its manifest (the copy fails with <see cref="InvalidDataException"/>
/// and the client sees a short response instead).
/// </summary>
internal sealed class ReleaseFileStream : ForwardReadStream
{
    private readonly Stream _inner;
    private readonly long _length;
    private readonly string? _sha256;
    private readonly IncrementalHash? _hash;
    private readonly string _name;
    private long _read;

    /// <param name="inner">The storage stream; disposed with this one.</param>
    /// <param name="length">Bytes it must yield.</param>
    /// <param name="sha256">The manifest's SHA-256 (hex) when <paramref name="inner"/> is the whole file; null for a range.</param>
    /// <param name="name">The file's name in errors.</param>
    public ReleaseFileStream(Stream inner, long length, string? sha256, string name)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        _inner = inner;
        _length = length;
        _sha256 = sha256;
        _name = name;
        _hash = sha256 is null ? null : IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    }

    /// <summary>True when the stream checks the whole file's SHA-256.</summary>
    public bool ChecksWholeFile => _hash is not null;

    public override long Length => _length;

    public override long Position { get => _read; }

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        var read = _inner.Read(buffer[..Limit(buffer.Length)]);
        return Check(buffer[..read]);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        var read = await _inner.ReadAsync(buffer[..Limit(buffer.Length)], cancellationToken).ConfigureAwait(false);
        return Check(buffer.Span[..read]);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
            _hash?.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await _inner.DisposeAsync().ConfigureAwait(false);
        _hash?.Dispose();
        await base.DisposeAsync().ConfigureAwait(false);
    }

    // Asks one byte past the promised length once it is reached, so a longer blob is caught rather than cut silently.
    private int Limit(int requested) => (int)Math.Min(requested, Math.Max(_length - _read, 1));

    private int Check(ReadOnlySpan<byte> chunk)
    {
        if (chunk.Length == 0)
        {
            return _read == _length
                ? 0
                : throw new InvalidDataException($"{_name} ended after {_read} of the {_length} bytes its manifest lists: the release file in storage is damaged.");
        }

        _read += chunk.Length;
        if (_read > _length)
        {
            throw new InvalidDataException($"{_name} holds more than the {_length} bytes its manifest lists: the release file in storage is damaged.");
        }

        if (_hash is not null)
        {
            _hash.AppendData(chunk);
            if (_read == _length)
            {
                var actual = Convert.ToHexStringLower(_hash.GetHashAndReset());
                if (!string.Equals(actual, _sha256, StringComparison.OrdinalIgnoreCase))
                {
                    throw new InvalidDataException($"{_name} has SHA-256 {actual} but its manifest records {_sha256}: the release file in storage is damaged; republish the release.");
                }
            }
        }

        return chunk.Length;
    }
}
