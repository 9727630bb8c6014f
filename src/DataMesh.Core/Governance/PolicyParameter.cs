namespace DataMesh.Governance;

/// <summary>A parameter a policy takes in <c>mesh.yaml</c>, with the kind of value it accepts.</summary>
internal sealed record PolicyParameter(string Name, PolicyParameterKind Kind, IReadOnlyList<string>? AllowedValues = null);

