namespace DataMesh.Governance;

/// <summary>The check behind one policy id; the engine applies severity, message and exemptions.</summary>
internal interface IPolicyCheck
{
    string Id { get; }

    /// <summary>The diagnostic code of a violation (DM21xx).</summary>
    string Code { get; }

    /// <summary>The message used when <c>mesh.yaml</c> gives none.</summary>
    string DefaultMessage { get; }

    IReadOnlyList<PolicyParameter> Parameters { get; }

    /// <summary>The violations among <see cref="PolicyScope.Products"/>.</summary>
    IEnumerable<PolicyViolation> Check(PolicyScope scope, MeshPolicy policy);
}
