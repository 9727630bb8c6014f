using System.Buffers;
using System.IO.Compression;
using System.Text;
using System.Text.Unicode;
using DataMesh.Specs;
using DataMesh.Storage;

namespace DataMesh.Pipeline;

/// <summary>
/// Checks a landing file before any SQL reads it, so bad files are refused with a specific reason: empty, header
/// only, binary content in a text format, bytes that are not UTF-8, a truncated or corrupt gzip stream, content
/// that does not match the declared format, an extension that contradicts it. Streams: never holds the file.
/// </summary>
public static class LandingFileInspector
{
    private const int BufferSize = 1 << 16;

    /// <summary>DuckDB's default <c>max_line_size</c>: longer lines are refused here, before the CSV sniffer meets them.</summary>
    public const int MaxLineBytes = 2_000_000;

    /// <summary>Throws <see cref="InputRejectedException"/> naming the problem, or returns when the file looks readable.</summary>
    public static void Inspect(string localPath, string blobName, LandingSpec landing)
    {
        using var file = File.OpenRead(localPath);
        Inspect(file, file.Length, blobName, landing);
    }

    /// <summary>
    /// Inspects <paramref name="content"/> (the file's bytes as stored, <paramref name="length"/> of them) as it is read,
    /// and always reads it to the end, even when the format needs only its first bytes: a caller that hashes or saves
    /// what passes through the stream sees the whole file once. Throws <see cref="InputRejectedException"/> naming the
    /// problem (the stream is then left part-read).
    /// </summary>
    public static void Inspect(Stream content, long length, string blobName, LandingSpec landing)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(landing);
        var format = landing.Format.ToLowerInvariant();
        var gzip = IsGzip(blobName, landing);
        CheckExtension(blobName, format, gzip);
        if (length == 0)
        {
            throw Refuse(blobName, "the file is empty (0 bytes)");
        }

        var raw = new TailStream(content);
        try
        {
            if (format == "parquet")
            {
                CheckParquet(raw, blobName);
                raw.Drain();
                return;
            }

            if (!gzip)
            {
                CheckText(raw, blobName, landing, format);
                return;
            }

            long size;
            using (var decompressed = new GZipStream(raw, CompressionMode.Decompress, leaveOpen: true))
            {
                size = CheckText(decompressed, blobName, landing, format);
            }

            raw.Drain();
            CheckGzipTrailer(raw.Tail, blobName, size);
        }
        catch (InvalidDataException ex)
        {
            throw Refuse(blobName, $"the gzip stream is corrupt: {ex.Message}");
        }
    }

    private static bool IsGzip(string blobName, LandingSpec landing) =>
        landing.Options.TryGetValue("compression", out var compression)
            ? compression == "gzip" || (compression == "auto" && blobName.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
            : blobName.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);

    private static void CheckExtension(string blobName, string format, bool gzip)
    {
        var name = gzip && blobName.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? blobName[..^3] : blobName;
        var extension = Path.GetExtension(name).TrimStart('.').ToLowerInvariant();
        string[] known = ["csv", "tsv", "txt", "json", "ndjson", "jsonl", "parquet", "pq"];
        if (extension.Length == 0 || !known.Contains(extension))
        {
            return;
        }

        var fits = format switch
        {
            "csv" => extension is "csv" or "tsv" or "txt",
            "json" => extension is "json",
            "ndjson" => extension is "ndjson" or "jsonl" or "json",
            "parquet" => extension is "parquet" or "pq",
            _ => true,
        };
        if (!fits)
        {
            throw Refuse(blobName, $"its extension .{extension} does not match the input's declared format {format}");
        }
    }

    private static void CheckParquet(Stream content, string blobName)
    {
        Span<byte> magic = stackalloc byte[4];
        if (content.ReadAtLeast(magic, 4, throwOnEndOfStream: false) < 4 || !magic.SequenceEqual("PAR1"u8))
        {
            throw Refuse(blobName, "it is not a Parquet file (no PAR1 magic bytes at the start)");
        }
    }

    /// <summary>
    /// A gzip member ends with the uncompressed size modulo 2^32: a truncated stream (which the decompressor may end
    /// quietly) does not match it.
    /// </summary>
    private static void CheckGzipTrailer(ReadOnlySpan<byte> trailer, string blobName, long decompressed)
    {
        var expected = trailer.Length == 4 ? System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(trailer) : 0;
        if (trailer.Length != 4 || expected != (uint)(decompressed & 0xFFFFFFFF))
        {
            throw Refuse(blobName, $"the gzip stream is truncated or corrupt (its trailer says {expected} bytes, {decompressed} decompressed)");
        }
    }

    private static long CheckText(Stream content, string blobName, LandingSpec landing, string format)
    {
        var encoding = landing.Options.TryGetValue("encoding", out var declared) ? declared : "utf-8";
        var checkUtf8 = encoding == "utf-8";
        var header = format == "csv" && (!landing.Options.TryGetValue("header", out var h) || h == "true");

        // With the quote doubled to escape it (the CSV default), a well-formed file holds an even number of quote
        // characters: an odd count means a quoted field is never closed, which readers would otherwise swallow.
        var quote = landing.Options.TryGetValue("quote", out var q) && q.Length == 1 ? (byte)q[0] : (byte)'"';
        var escape = landing.Options.TryGetValue("escape", out var e) && e.Length == 1 ? (byte)e[0] : quote;
        var countQuotes = format == "csv" && quote == escape && quote < 0x80 && encoding != "utf-16";
        long quotes = 0;
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        var chars = ArrayPool<char>.Shared.Rent(BufferSize);
        try
        {
            long offset = 0;
            var pending = 0;
            var nonEmptyLines = 0;
            long lineNumber = 1;
            long lineLength = 0;
            var lineHasContent = false;
            var textFormat = format is "csv" or "ndjson";
            var firstSignificant = (byte)0;
            int read;
            while ((read = content.Read(buffer, pending, BufferSize - pending)) > 0 || pending > 0)
            {
                var length = pending + read;
                var chunk = buffer.AsSpan(0, length);
                if (encoding != "utf-16" && chunk.IndexOf((byte)0) is var nul and >= 0)
                {
                    throw Refuse(blobName, $"it holds binary content (a NUL byte at offset {offset + nul}), not {format} text");
                }

                var consumed = length;
                if (checkUtf8)
                {
                    consumed = read == 0 ? length : CompleteUtf8Prefix(chunk);
                    if (!Utf8.IsValid(chunk[..consumed]))
                    {
                        Utf8.ToUtf16(chunk[..consumed], chars, out var valid, out _, replaceInvalidSequences: false, isFinalBlock: true);
                        throw Refuse(blobName, $"it is not valid UTF-8 (byte offset {offset + valid}); if it is Latin-1, declare encoding: latin-1");
                    }
                }

                if (countQuotes)
                {
                    quotes += chunk[..consumed].Count(quote);
                }

                // Vectorised scans: line by line only to measure lengths; content checks only until they are settled.
                var rest = chunk[..consumed];
                while (!rest.IsEmpty)
                {
                    var newline = rest.IndexOf((byte)'\n');
                    var line = newline < 0 ? rest : rest[..newline];
                    lineLength += line.Length;
                    if (lineLength > MaxLineBytes && textFormat)
                    {
                        throw Refuse(blobName, $"line {lineNumber} is longer than {MaxLineBytes:N0} bytes (the reader's line limit)");
                    }

                    if (nonEmptyLines < 2 || firstSignificant == 0)
                    {
                        var significant = line.IndexOfAnyExcept(" \t\r\uFEFF"u8);
                        if (significant >= 0)
                        {
                            lineHasContent = true;
                            if (firstSignificant == 0)
                            {
                                var bomless = line[significant..];
                                bomless = bomless.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? bomless[3..] : bomless;
                                var first = bomless.IndexOfAnyExcept(" \t\r"u8);
                                firstSignificant = first >= 0 ? bomless[first] : (byte)0;
                            }
                        }
                    }

                    if (newline < 0)
                    {
                        break;
                    }

                    nonEmptyLines += lineHasContent ? 1 : 0;
                    lineHasContent = false;
                    lineNumber++;
                    lineLength = 0;
                    rest = rest[(newline + 1)..];
                }

                offset += consumed;
                pending = length - consumed;
                chunk[consumed..].CopyTo(buffer);
                if (read == 0)
                {
                    break;
                }
            }

            nonEmptyLines += lineHasContent ? 1 : 0;
            if (firstSignificant == 0)
            {
                throw Refuse(blobName, "the file holds only whitespace");
            }

            if (header && nonEmptyLines < 2)
            {
                throw Refuse(blobName, "it holds a header line and no data rows");
            }

            if (countQuotes && quotes % 2 == 1)
            {
                throw Refuse(blobName, $"a quoted field is never closed (the file holds an odd number, {quotes:N0}, of {(char)quote} characters)");
            }

            if (format == "json" && firstSignificant != '[')
            {
                throw Refuse(blobName, $"it is not a JSON array (starts with '{(char)firstSignificant}'); declare format: ndjson for one object per line");
            }

            if (format == "ndjson" && firstSignificant != '{')
            {
                throw Refuse(blobName, $"it is not newline-delimited JSON (starts with '{(char)firstSignificant}', expected '{{')");
            }

            return offset;
        }
        catch (EndOfStreamException ex)
        {
            throw Refuse(blobName, $"the gzip stream is truncated: {ex.Message}");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    /// <summary>Length of the prefix of <paramref name="chunk"/> that ends on a UTF-8 sequence boundary (a split sequence waits for the next chunk).</summary>
    private static int CompleteUtf8Prefix(ReadOnlySpan<byte> chunk)
    {
        for (var back = 1; back <= Math.Min(3, chunk.Length); back++)
        {
            var b = chunk[^back];
            if ((b & 0xC0) == 0x80)
            {
                continue; // continuation byte: keep looking for the lead byte
            }

            var needed = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
            return needed > back ? chunk.Length - back : chunk.Length;
        }

        return chunk.Length;
    }

    /// <summary>A read-only pass-through that remembers the last 4 bytes read (a gzip member's size trailer).</summary>
    private sealed class TailStream(Stream inner) : ForwardReadStream
    {
        private readonly byte[] _tail = new byte[4];
        private long _read;

        public ReadOnlySpan<byte> Tail => _read >= 4 ? _tail : _tail.AsSpan(4 - (int)_read);

        public override long Position { get => _read; }

        public override int Read(Span<byte> buffer)
        {
            var read = inner.Read(buffer);
            Remember(buffer[..read]);
            return read;
        }

        private void Remember(ReadOnlySpan<byte> data)
        {
            if (data.Length >= 4)
            {
                data[^4..].CopyTo(_tail);
            }
            else if (data.Length > 0)
            {
                _tail.AsSpan(data.Length).CopyTo(_tail);
                data.CopyTo(_tail.AsSpan(4 - data.Length));
            }

            _read += data.Length;
        }
    }

    private static InputRejectedException Refuse(string blobName, string reason) =>
        new($"Landing file '{blobName}' refused: {reason}.");
}
