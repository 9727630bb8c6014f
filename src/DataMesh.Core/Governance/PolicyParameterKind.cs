namespace DataMesh.Governance;

/// <summary>The kinds of policy parameter values.</summary>
internal enum PolicyParameterKind
{
    /// <summary>A non-empty list of names (optionally from <see cref="PolicyParameter.AllowedValues"/>).</summary>
    NameList,

    /// <summary>A whole number, 1 or more.</summary>
    PositiveInteger,

    /// <summary>A positive ISO 8601 duration such as PT24H.</summary>
    Duration,
}
