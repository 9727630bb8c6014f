using DataMesh.Specs;

namespace DataMesh.Governance;

/// <summary>What a policy evaluation may consult besides the products: the clock and the rest of the mesh.</summary>
public sealed record PolicyContext
{
    /// <summary>The clock that decides whether exemptions have expired (inject a fake one in tests).</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>
    /// Every product of the mesh, for upstream and cycle checks; null means the evaluated products are the whole mesh.
    /// </summary>
    public IReadOnlyCollection<ProductSpec>? MeshProducts { get; init; }

    /// <summary>
    /// Ids of mesh products whose specs did not load (their own errors are reported already): inputs naming
    /// them are not reported as missing, and exemptions naming them are not reported as unknown.
    /// </summary>
    public IReadOnlyCollection<string> UnloadedProducts { get; init; } = [];
}
