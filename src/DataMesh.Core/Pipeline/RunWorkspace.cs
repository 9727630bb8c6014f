namespace DataMesh.Pipeline;

/// <summary>A run's local scratch folder: <c>inputs/&lt;input&gt;/</c>, <c>output/</c>, <c>tmp/</c>.</summary>
public sealed class RunWorkspace(string root)
{
    public string Root { get; } = root;

    public string InputsDirectory => Path.Combine(Root, "inputs");

    public string OutputDirectory => Path.Combine(Root, "output");

    public string TempDirectory => Path.Combine(Root, "tmp");

    /// <summary>Root of the output's Parquet files (one file, or Hive partition folders), inside <see cref="OutputDirectory"/>.</summary>
    public string OutputDataDirectory => Path.Combine(OutputDirectory, "data");

    /// <summary>The output with the contract's masking applied, as published.</summary>
    public string MaskedDirectory => Path.Combine(Root, "masked");

    /// <summary>Where publish builds the release's snapshot: base files it reads, files it rewrites.</summary>
    public string SnapshotDirectory => Path.Combine(Root, "snapshot");

    /// <summary>The scratch folder of part <paramref name="index"/> of a backfill's fan-out, inside this run's (so clean-up takes it too).</summary>
    public RunWorkspace Part(int index) => new(Path.Combine(Root, "parts", index.ToString("D5", System.Globalization.CultureInfo.InvariantCulture)));

    public string InputDirectory(string inputName) => Path.Combine(InputsDirectory, SafeName(inputName));

    /// <summary>A file or folder name made of letters, digits, '-', '_' and '.' only (no traversal).</summary>
    public static string SafeName(string name)
    {
        var chars = name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').ToArray();
        var safe = new string(chars).TrimStart('.');
        return safe.Length == 0 ? "_" : safe;
    }

    public void Delete()
    {
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }
}
