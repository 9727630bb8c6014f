using System.Text.Json.Nodes;

namespace DataMesh.Infra.Tests.Arm;

/// <summary>A resource of a compiled template; <see cref="Existing"/> ones are only referenced, not deployed.</summary>
public sealed record ArmResource(string Type, JsonObject Body, bool Existing)
{
    public string? Name => Body.Text("name");

    public override string ToString() => $"{Type} {Name}";
}
