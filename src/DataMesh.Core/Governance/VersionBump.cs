namespace DataMesh.Governance;

/// <summary>The semantic version increment a change needs (or a version change makes), smallest first.</summary>
public enum VersionBump
{
    /// <summary>Nothing that consumers could notice.</summary>
    None,

    /// <summary>Documentation only (descriptions).</summary>
    Patch,

    /// <summary>Additive: consumers keep working.</summary>
    Minor,

    /// <summary>Breaking: some consumer may stop working.</summary>
    Major,
}
