namespace DataMesh.Governance;

/// <summary>A product allowed to break one policy until a date, for a stated reason.</summary>
public sealed record PolicyExemption
{
    /// <summary>The product id, <c>domain.name</c>.</summary>
    public required string Product { get; init; }

    /// <summary>The policy id.</summary>
    public required string Policy { get; init; }

    public required string Reason { get; init; }

    /// <summary>The last day (UTC) the exemption holds; from the next day it is an error.</summary>
    public required DateOnly Expires { get; init; }

    /// <summary>Line of the exemption in <c>mesh.yaml</c>.</summary>
    public int Line { get; init; } = 1;

    /// <summary>Column of the exemption in <c>mesh.yaml</c>.</summary>
    public int Column { get; init; } = 1;

    /// <summary>Line of <c>expires</c>, where an expired exemption is reported.</summary>
    public int ExpiresLine { get; init; } = 1;

    /// <summary>Column of <c>expires</c>.</summary>
    public int ExpiresColumn { get; init; } = 1;

    /// <summary>Whether the exemption still holds on <paramref name="today"/>.</summary>
    public bool IsActiveOn(DateOnly today) => today <= Expires;
}
