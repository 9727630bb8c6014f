using System.Security.Cryptography;
using System.Text;

namespace DataMesh.Pipeline;

/// <summary>
/// Which landing blob names the platform processes, and the safe name under which it quarantines any other. A name
/// is refused when a path could escape with it (rooted, <c>.</c> or <c>..</c> segments, which every HTTP client
/// resolves before sending, so such a name addresses another blob), when it holds control characters (Azurite fails
/// every listing that holds one), or when it is too long for the run folder, the archive and the quarantine.
/// </summary>
public static class LandingBlobNames
{
    /// <summary>Longest name processed (Azure allows 1,024 characters; quarantine and archive add a folder to it).</summary>
    public const int MaxLength = 512;

    /// <summary>Longest segment processed: the file name becomes a local file's name (255 bytes on most file systems).</summary>
    public const int MaxSegmentLength = 200;

    /// <summary>Folder of the quarantine that holds inputs whose own names were refused, under a safe name.</summary>
    public const string RefusedNamesFolder = "_refused-names/";

    /// <summary>Why the platform will not process a blob of this name; null when it will.</summary>
    public static string? Problem(string name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return "empty name";
        }

        if (name.Any(char.IsControl))
        {
            return "control characters";
        }

        if (name.StartsWith('/'))
        {
            return "rooted path";
        }

        if (HasDotSegments(name))
        {
            return "traversal: '.' or '..' segments";
        }

        if (name.Length > MaxLength)
        {
            return $"{name.Length} characters, over the limit of {MaxLength}";
        }

        return name.Split('/').FirstOrDefault(s => s.Length > MaxSegmentLength) is { } segment
            ? $"a segment of {segment.Length} characters, over the limit of {MaxSegmentLength}"
            : null;
    }

    /// <summary>True when a segment is <c>.</c> or <c>..</c>: a storage client would address another blob with it.</summary>
    public static bool HasDotSegments(string name) => name.Split('/').Any(segment => segment is "." or "..");

    /// <summary>
    /// The name an input is quarantined under: its own when the platform processes such names, else one made safe —
    /// <c>_refused-names/&lt;hash of the name&gt;-&lt;its file name, letters, digits, '-', '_' and '.' only, at most
    /// 100&gt;</c> (the original name is in the <c>.error.json</c> beside it).
    /// </summary>
    public static string QuarantineName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (Problem(name) is null)
        {
            return name;
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)))[..16];
        var fileName = RunWorkspace.SafeName(name[(name.LastIndexOf('/') + 1)..]);
        return $"{RefusedNamesFolder}{hash}-{(fileName.Length <= 100 ? fileName : fileName[^100..])}";
    }

    /// <summary>
    /// <paramref name="text"/> with every refused name of <paramref name="names"/> (<see cref="Problem"/>), as it is or
    /// as <see cref="Printable"/> shows it, replaced by its <see cref="QuarantineName"/>: how a domain's announcement
    /// names an input whose own name it will not pass on. Processable names and names of under 3 characters (which
    /// carry nothing and would match ordinary text) are left as they are.
    /// </summary>
    public static string WithSafeNames(string text, IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(names);
        foreach (var name in names.Where(n => n.Length >= 3 && Problem(n) is not null).Distinct(StringComparer.Ordinal).OrderByDescending(n => n.Length))
        {
            var safe = QuarantineName(name);
            text = text.Replace(name, safe, StringComparison.Ordinal).Replace(Printable(name), safe, StringComparison.Ordinal);
        }

        return text;
    }

    /// <summary>The name as it can be shown in a message: control characters as '?', at most 120 characters.</summary>
    public static string Printable(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var printable = new string(name.Select(c => char.IsControl(c) ? '?' : c).ToArray());
        return printable.Length <= 120 ? printable : $"{printable[..100]}…({printable.Length} characters)";
    }
}
