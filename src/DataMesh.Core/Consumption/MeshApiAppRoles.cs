using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace DataMesh.Consumption;

/// <summary>
/// The app roles of the mesh API app registration (Microsoft Graph <c>application.appRoles</c>), which Azure callers
/// read data with (<see cref="DataReader.FromAppRoles"/>): <see cref="DataReader.OperatorRole"/> and one
/// <c>DataMesh.Domain.&lt;domain&gt;</c> per domain of the mesh, each assignable to users, groups and applications
/// (managed identities included). The hub's preprovision hook (<c>datamesh infra hook ensure-app</c>) writes them; <c>datamesh infra app-roles</c> prints them.
/// </summary>
/// <remarks>
/// Written to be applied again and again: a role keeps the id it has in the registration (Graph identifies roles by
/// id, and assignments point at it); a new role gets an id derived from its value, so two runs agree. Graph refuses to
/// delete an enabled role, so a mesh role no longer declared stays, disabled; roles the mesh does not own are kept as
/// they are.
/// </remarks>
public static class MeshApiAppRoles
{
    // Namespace of the ids of the mesh's roles: SHA-256 of namespace + value, as an RFC 9562 version 8 (custom) UUID.
    private static readonly Guid IdNamespace = new("5b0c9a53-2e1f-4c62-9a8e-6d1f3c0b7a41");

    private const string MeshRolePrefix = "DataMesh.";

    /// <summary>The roles to write: the mesh's (enabled), then retired mesh roles (disabled) and foreign roles.</summary>
    /// <param name="domains">The mesh's domains (folders under <c>pipelines/</c> with products).</param>
    /// <param name="existing">The registration's current <c>appRoles</c> (as <c>az ad app show --query appRoles</c> prints them), or null.</param>
    /// <exception cref="ArgumentException">A domain is not a domain name, or an existing role holds the id a new role needs.</exception>
    public static JsonArray Merge(IEnumerable<string> domains, JsonArray? existing)
    {
        ArgumentNullException.ThrowIfNull(domains);
        var current = (existing ?? []).OfType<JsonObject>().ToList();
        var declared = new List<(string Value, string DisplayName, string Description)>
        {
            (DataReader.OperatorRole, "DataMesh operator", "Reads the data of every product of the mesh (the platform team)."),
        };
        foreach (var domain in domains.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            if (domain.Length == 0 || domain.Length > 64 || !domain.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'))
            {
                throw new ArgumentException($"'{domain}' is not a domain name (lowercase letters, digits and '-'): it cannot name an app role.", nameof(domains));
            }

            declared.Add((DataReader.DomainRolePrefix + domain, $"DataMesh domain {domain}",
                $"Reads the data of products domain {domain} may read: its own, public ones, and restricted ones that list it as a reader."));
        }

        var roles = new JsonArray();
        foreach (var (value, displayName, description) in declared)
        {
            var id = current.FirstOrDefault(r => Text(r, "value") == value) is { } kept ? Text(kept, "id")! : NewId(value).ToString();
            if (current.FirstOrDefault(r => Text(r, "id") == id && Text(r, "value") != value) is { } holder)
            {
                throw new ArgumentException($"App role '{Text(holder, "value")}' of the registration has id {id}, which role '{value}' needs: rename or delete that role.", nameof(existing));
            }

            roles.Add(Role(id, value, displayName, description, ["Application", "User"], enabled: true));
        }

        foreach (var role in current.Where(r => !declared.Any(d => d.Value == Text(r, "value"))))
        {
            var ours = Text(role, "value")?.StartsWith(MeshRolePrefix, StringComparison.Ordinal) == true;
            roles.Add(Role(
                Text(role, "id") ?? throw new ArgumentException($"App role '{Text(role, "value")}' of the registration has no id.", nameof(existing)),
                Text(role, "value"),
                Text(role, "displayName"),
                Text(role, "description"),
                [.. (role["allowedMemberTypes"] as JsonArray ?? []).Select(t => t?.GetValue<string>()).OfType<string>()],
                enabled: !ours && role["isEnabled"]?.GetValue<bool>() != false));
        }

        return roles;
    }

    /// <summary>The id a new role with this value gets: name-based, so every run derives the same one.</summary>
    public static Guid NewId(string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(value);
        var name = Encoding.UTF8.GetBytes(value);
        var input = new byte[16 + name.Length];
        IdNamespace.TryWriteBytes(input, bigEndian: true, out _);
        name.CopyTo(input, 16);
        var hash = SHA256.HashData(input);
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true);
    }

    // Only the properties Graph lets a client write (origin and others are read-only).
    private static JsonObject Role(string id, string? value, string? displayName, string? description, string[] memberTypes, bool enabled) => new()
    {
        ["allowedMemberTypes"] = new JsonArray([.. memberTypes.Select(t => (JsonNode)JsonValue.Create(t))]),
        ["description"] = description,
        ["displayName"] = displayName,
        ["id"] = id,
        ["isEnabled"] = enabled,
        ["value"] = value,
    };

    private static string? Text(JsonObject role, string name) =>
        role[name] is JsonValue v && v.TryGetValue<string>(out var text) ? text : null;
}
