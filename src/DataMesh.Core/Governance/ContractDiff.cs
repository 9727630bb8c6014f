using Semver;

namespace DataMesh.Governance;

/// <summary>The changes between two versions of a contract, the bump they need and whether the declared versions make it.</summary>
public sealed record ContractDiff
{
    public required string OldVersion { get; init; }

    public required string NewVersion { get; init; }

    public required IReadOnlyList<ContractChange> Changes { get; init; }

    /// <summary>The largest bump any change needs.</summary>
    public VersionBump Required => Changes.Count == 0 ? VersionBump.None : Changes.Max(c => c.Bump);

    /// <summary>The bump the declared versions make (<see cref="VersionBump.None"/> also when the version went down).</summary>
    public VersionBump Declared => ContractComparer.DeclaredBump(OldVersion, NewVersion);

    /// <summary>The smallest version after <see cref="OldVersion"/> that makes the required bump (the old version when none is needed).</summary>
    public string SuggestedVersion
    {
        get
        {
            if (!SemVersion.TryParse(OldVersion, SemVersionStyles.Strict, out var old) || Required == VersionBump.None)
            {
                return OldVersion;
            }

            var step = old.Major == 0 && Required > VersionBump.Patch ? Required - 1 : Required;
            return step switch
            {
                VersionBump.Major => $"{old.Major + 1}.0.0",
                VersionBump.Minor => $"{old.Major}.{old.Minor + 1}.0",
                _ => $"{old.Major}.{old.Minor}.{old.Patch + (old.IsPrerelease ? 0 : 1)}",
            };
        }
    }

    /// <summary>
    /// Whether the declared versions make a large enough bump. Below 1.0.0 each bump counts one step higher
    /// (0.1.0 to 0.2.0 may break; 0.1.0 to 0.1.1 may add), as Cargo and npm's caret ranges read them.
    /// </summary>
    public bool VersionSufficient
    {
        get
        {
            if (!SemVersion.TryParse(OldVersion, SemVersionStyles.Strict, out var old) || !SemVersion.TryParse(NewVersion, SemVersionStyles.Strict, out var current))
            {
                return false;
            }

            if (Required == VersionBump.None)
            {
                return current.ComparePrecedenceTo(old) >= 0;
            }

            var needed = old.Major == 0 && Required > VersionBump.Patch ? Required - 1 : Required;
            return Declared >= needed;
        }
    }
}
