using System.Globalization;
using System.Numerics;
using Semver;

namespace DataMesh.Catalog;

/// <summary>
/// RowKey of a release: unique per version and release, and ordinal order is newest first for stable versions
/// (major, minor, patch and release are stored inverted). Prereleases sort after the stable version of the same
/// core; among themselves only roughly, so readers sort by semver precedence anyway.
/// </summary>
internal static class ReleaseRowKey
{
    /// <summary>True when every numeric part fits the fixed-width inverted encoding.</summary>
    internal static bool Supports(SemVersion version) =>
        version.Major <= int.MaxValue && version.Minor <= int.MaxValue && version.Patch <= int.MaxValue;

    internal static string For(SemVersion version, string versionText, int release)
    {
        if (!Supports(version) || release < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(version), $"No release key for {versionText} release {release}.");
        }

        var prerelease = version.IsPrerelease ? "1" + version.Prerelease : "0";
        return string.Join(
            '.',
            Inverted(version.Major),
            Inverted(version.Minor),
            Inverted(version.Patch),
            $"{prerelease}~{Inverted(release)}~{CatalogKeys.Encode(versionText)}");
    }

    private static string Inverted(BigInteger value) =>
        (int.MaxValue - (int)value).ToString("D10", CultureInfo.InvariantCulture);
}
