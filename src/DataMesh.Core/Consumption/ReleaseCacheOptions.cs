using System.Globalization;

namespace DataMesh.Consumption;

/// <summary>Where <see cref="ReleaseCache"/> keeps release files and how much of the disk it may use.</summary>
public sealed class ReleaseCacheOptions
{
    /// <summary>The environment variable that sets <see cref="MaxBytes"/> in megabytes (<c>datamesh query</c>, <c>datamesh up</c>).</summary>
    public const string MaxMegabytesVariable = "DATAMESH_RELEASE_CACHE_MB";

    /// <summary>The most the cache keeps unless told otherwise: 2 GiB (and at most half the disk's free space).</summary>
    public const long DefaultMaxBytes = 2L * 1024 * 1024 * 1024;

    /// <summary>The cache folder; default <c>datamesh-release-cache</c> under the temp path, shared by every process of the user.</summary>
    public string Directory { get; set; } = Path.Combine(Path.GetTempPath(), "datamesh-release-cache");

    /// <summary>
    /// The size past which least-recently-used releases are evicted; null: <see cref="DefaultMaxBytes"/>, or half the
    /// free space of the cache's disk (counting what the cache already holds as free) when that is less. Releases in
    /// use are never evicted, so the cache can stand above the bound while they are read.
    /// </summary>
    public long? MaxBytes { get; set; }

    /// <summary>The options of the environment: <see cref="MaxMegabytesVariable"/> when set, else the defaults.</summary>
    /// <param name="variable">Reads an environment variable (null when unset).</param>
    /// <exception cref="InvalidOperationException">The variable is not a whole number of megabytes.</exception>
    public static ReleaseCacheOptions FromEnvironment(Func<string, string?> variable)
    {
        ArgumentNullException.ThrowIfNull(variable);
        var options = new ReleaseCacheOptions();
        if (variable(MaxMegabytesVariable) is { Length: > 0 } text)
        {
            if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var megabytes) || megabytes > long.MaxValue / (1024 * 1024))
            {
                throw new InvalidOperationException($"{MaxMegabytesVariable} is '{text}': set it to the release cache's size in megabytes (e.g. 2048), or unset it for the default (2048, at most half the free disk).");
            }

            options.MaxBytes = megabytes * 1024 * 1024;
        }

        return options;
    }
}
