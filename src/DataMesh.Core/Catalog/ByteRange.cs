using System.Globalization;

namespace DataMesh.Catalog;

/// <summary>
/// The part of a file an HTTP <c>Range</c> header asks for (RFC 9110 §14), resolved against the file's size. Only one
/// range is served: a header naming several, another unit, or bad syntax is ignored (the whole file is sent), as the
/// RFC allows; a single range that starts past the end is unsatisfiable (416).
/// </summary>
internal readonly record struct ByteRange(long Offset, long Length)
{
    /// <summary>The last byte's position (inclusive), as <c>Content-Range</c> writes it.</summary>
    public long Last => Offset + Length - 1;

    /// <summary>Resolves <paramref name="header"/> against a file of <paramref name="size"/> bytes.</summary>
    /// <returns>The range to send (null: the whole file), or <c>Satisfiable</c> false for a 416.</returns>
    public static (ByteRange? Range, bool Satisfiable) Resolve(string? header, long size)
    {
        const string Unit = "bytes=";
        if (header is null || !header.StartsWith(Unit, StringComparison.OrdinalIgnoreCase) || header.Contains(',', StringComparison.Ordinal))
        {
            return (null, true);
        }

        var spec = header[Unit.Length..].Trim();
        var dash = spec.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0)
        {
            return (null, true);
        }

        var first = spec[..dash].Trim();
        var last = spec[(dash + 1)..].Trim();
        if (first.Length == 0)
        {
            // bytes=-N: the last N bytes (how a Parquet reader fetches the footer without knowing the size).
            if (!TryParse(last, out var suffix))
            {
                return (null, true);
            }

            return suffix == 0 || size == 0 ? (null, false) : (new ByteRange(size - Math.Min(suffix, size), Math.Min(suffix, size)), true);
        }

        if (!TryParse(first, out var start))
        {
            return (null, true);
        }

        long end;
        if (last.Length == 0)
        {
            end = size - 1;
        }
        else if (!TryParse(last, out end) || end < start)
        {
            return (null, true);
        }

        if (start >= size)
        {
            return (null, false);
        }

        end = Math.Min(end, size - 1);
        return (new ByteRange(start, end - start + 1), true);
    }

    private static bool TryParse(string text, out long value) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
}
