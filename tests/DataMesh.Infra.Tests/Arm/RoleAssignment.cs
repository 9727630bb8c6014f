using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace DataMesh.Infra.Tests.Arm;

/// <summary>
/// A role assignment of a snapshot, read back into what it grants: the scope (a resource id), the built-in role, and
/// the principal (the resource id of a managed identity when the principal id is that identity's, else the literal id).
/// </summary>
public sealed partial record RoleAssignment(string Scope, string RoleDefinitionId, string Principal, string? PrincipalType)
{
    private const string RoleAssignmentsSegment = "/providers/Microsoft.Authorization/roleAssignments/";

    public static RoleAssignment From(JsonObject resource)
    {
        var id = resource.Text("id") ?? throw new InvalidDataException("A role assignment without an id.");
        var scope = ExtensionScope().Match(id) is { Success: true } extension
            ? extension.Groups["scope"].Value
            : id.Contains(RoleAssignmentsSegment, StringComparison.OrdinalIgnoreCase)
                ? id[..id.IndexOf(RoleAssignmentsSegment, StringComparison.OrdinalIgnoreCase)]
                : throw new InvalidDataException($"Cannot read the scope of role assignment '{id}'.");
        var roleDefinitionId = resource.Text("properties.roleDefinitionId") ?? "";
        var principalId = resource.Text("properties.principalId") ?? "";
        var principal = IdentityReference().Match(principalId) is { Success: true } identity ? identity.Groups["id"].Value : principalId;
        return new RoleAssignment(scope, roleDefinitionId[(roleDefinitionId.LastIndexOf('/') + 1)..], principal, resource.Text("properties.principalType"));
    }

    public override string ToString() => $"{BuiltInRole.NameOf(RoleDefinitionId)} for {Principal} on {Scope}";

    [GeneratedRegex(@"^\[extensionResourceId\('(?<scope>[^']+)', 'Microsoft\.Authorization/roleAssignments'")]
    private static partial Regex ExtensionScope();

    [GeneratedRegex(@"^\[reference\('(?<id>[^']+/Microsoft\.ManagedIdentity/userAssignedIdentities/[^']+)', '[^']+'\)\.principalId\]$")]
    private static partial Regex IdentityReference();
}
