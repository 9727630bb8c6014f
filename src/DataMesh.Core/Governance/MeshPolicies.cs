namespace DataMesh.Governance;

/// <summary>The mesh-wide governance of <c>pipelines/mesh.yaml</c>: the policies enforced and the exemptions granted.</summary>
public sealed record MeshPolicies
{
    /// <summary>The file as shown in diagnostics (exemption findings point into it).</summary>
    public string File { get; init; } = "mesh.yaml";

    public IReadOnlyList<MeshPolicy> Policies { get; init; } = [];

    public IReadOnlyList<PolicyExemption> Exemptions { get; init; } = [];

    /// <summary>No policies at all (tests, and hosts that run one product outside any mesh).</summary>
    public static MeshPolicies None { get; } = new();

    /// <summary>The built-in baseline: what a mesh without <c>mesh.yaml</c> enforces, and what <c>datamesh init</c> writes (<see cref="MeshScaffold"/>).</summary>
    public static MeshPolicies Baseline => MeshScaffold.BaselinePolicies;
}
