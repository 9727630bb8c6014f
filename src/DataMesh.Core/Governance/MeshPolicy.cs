using DataMesh.Specs;

namespace DataMesh.Governance;

/// <summary>One policy a mesh enforces, as configured in <c>mesh.yaml</c>.</summary>
public sealed record MeshPolicy
{
    /// <summary>One of <see cref="PolicyIds"/>, e.g. <c>owner-email-required</c>.</summary>
    public required string Id { get; init; }

    /// <summary>The severity of a violation (warnings never fail <c>validate</c>).</summary>
    public DiagnosticSeverity Severity { get; init; } = DiagnosticSeverity.Error;

    /// <summary>Why the mesh has the policy, appended to every violation.</summary>
    public required string Message { get; init; }

    /// <summary>Checked parameters (e.g. <c>formats: [csv, parquet]</c>); a single value is a one-item list.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Parameters { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>Line of the policy in <c>mesh.yaml</c> (1 when built in code).</summary>
    public int Line { get; init; } = 1;

    /// <summary>Column of the policy in <c>mesh.yaml</c>.</summary>
    public int Column { get; init; } = 1;
}
