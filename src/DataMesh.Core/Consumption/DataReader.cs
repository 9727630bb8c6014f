using System.Text;
using System.Text.Json;

namespace DataMesh.Consumption;

/// <summary>
/// Who reads a product's data: one or more domains (their pipelines and people), the mesh operator (every product),
/// or an anonymous caller (public products only). Hosts establish it: the Functions app from the caller's Entra app
/// roles (<c>DataMesh.Domain.&lt;domain&gt;</c>, <c>DataMesh.Operator</c>) as App Service authentication passes them,
/// the local host from the command line (<c>--as</c>) or a loopback-only header.
/// </summary>
public sealed record DataReader
{
    /// <summary>App role granting read access on behalf of a domain: <c>DataMesh.Domain.sales</c>.</summary>
    public const string DomainRolePrefix = "DataMesh.Domain.";

    /// <summary>App role of the mesh operator (the platform team).</summary>
    public const string OperatorRole = "DataMesh.Operator";

    private DataReader(IReadOnlySet<string> domains, bool isOperator, bool isAuthenticated = true)
    {
        Domains = domains;
        IsOperator = isOperator;
        IsAuthenticated = isAuthenticated;
    }

    /// <summary>The domains the caller reads for; empty for the operator and anonymous callers.</summary>
    public IReadOnlySet<string> Domains { get; }

    /// <summary>The mesh operator reads everything (the local CLI without <c>--as</c>, the platform team in Azure).</summary>
    public bool IsOperator { get; }

    /// <summary>
    /// Whether the caller proved who it is (a validated token, or the local user): hosts that serve data beyond
    /// loopback refuse data to callers that did not, whatever the product's access says.
    /// </summary>
    public bool IsAuthenticated { get; }

    /// <summary>A caller with no identity: public products only, and only where a host lets unauthenticated callers read (loopback).</summary>
    public static DataReader Anonymous { get; } = new(new HashSet<string>(StringComparer.Ordinal), isOperator: false, isAuthenticated: false);

    /// <summary>A caller with a validated identity of the organisation but no mesh app role: public products only.</summary>
    public static DataReader Member { get; } = new(new HashSet<string>(StringComparer.Ordinal), isOperator: false);

    /// <summary>The mesh operator.</summary>
    public static DataReader Operator { get; } = new(new HashSet<string>(StringComparer.Ordinal), isOperator: true);

    /// <summary>A caller reading on behalf of <paramref name="domain"/>.</summary>
    public static DataReader ForDomain(string domain)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(domain);
        return new DataReader(new HashSet<string>([domain.Trim()], StringComparer.Ordinal), isOperator: false);
    }

    /// <summary>The caller a validated Entra token's app roles describe (unknown roles are ignored; none: <see cref="Member"/>).</summary>
    public static DataReader FromAppRoles(IEnumerable<string> roles)
    {
        ArgumentNullException.ThrowIfNull(roles);
        var list = roles.ToList();
        if (list.Contains(OperatorRole, StringComparer.Ordinal))
        {
            return Operator;
        }

        var domains = list.Where(r => r.StartsWith(DomainRolePrefix, StringComparison.Ordinal) && r.Length > DomainRolePrefix.Length)
            .Select(r => r[DomainRolePrefix.Length..])
            .ToHashSet(StringComparer.Ordinal);
        return domains.Count == 0 ? Member : new DataReader(domains, isOperator: false);
    }

    /// <summary>
    /// The caller of an <c>X-MS-CLIENT-PRINCIPAL</c> header (Base64 JSON that App Service authentication adds after
    /// validating the token, and strips from incoming requests); anonymous when absent or unreadable.
    /// </summary>
    public static DataReader FromClientPrincipal(string? header)
    {
        if (string.IsNullOrWhiteSpace(header))
        {
            return Anonymous;
        }

        try
        {
            using var document = JsonDocument.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(header)));
            var root = document.RootElement;
            var roleType = root.TryGetProperty("role_typ", out var rt) && rt.ValueKind == JsonValueKind.String ? rt.GetString() : null;
            if (!root.TryGetProperty("claims", out var claims) || claims.ValueKind != JsonValueKind.Array)
            {
                return Anonymous;
            }

            var roles = claims.EnumerateArray()
                .Where(c => c.TryGetProperty("typ", out var typ) && typ.GetString() is { } t && (t == "roles" || t == roleType))
                .Select(c => c.TryGetProperty("val", out var val) ? val.GetString() : null)
                .OfType<string>();
            return FromAppRoles(roles);
        }
        catch (Exception ex) when (ex is FormatException or JsonException or InvalidOperationException)
        {
            return Anonymous;
        }
    }

    /// <summary>
    /// Whether this caller may read a product of <paramref name="productDomain"/> with the given access:
    /// <c>public</c> → everyone; <c>domain</c> → its own domain; <c>restricted</c> → its own domain and <paramref name="readers"/>.
    /// </summary>
    public bool CanRead(string productDomain, string? visibility, IReadOnlyList<string> readers)
    {
        ArgumentNullException.ThrowIfNull(productDomain);
        ArgumentNullException.ThrowIfNull(readers);
        if (IsOperator || string.Equals(visibility, "public", StringComparison.Ordinal))
        {
            return true;
        }

        return Domains.Contains(productDomain)
            || (string.Equals(visibility, "restricted", StringComparison.Ordinal) && readers.Any(Domains.Contains));
    }

    /// <summary>How to name this caller in a refusal.</summary>
    public override string ToString() =>
        IsOperator ? "the mesh operator"
        : Domains.Count == 0 ? (IsAuthenticated ? "a caller without a mesh role" : "an anonymous caller")
        : Domains.Count == 1 ? $"domain '{Domains.First()}'"
        : $"domains {string.Join(", ", Domains.Order(StringComparer.Ordinal))}";
}

/// <summary>A product's access rules as the data routes check them (from its spec, or as the catalog recorded them).</summary>
public sealed record ReleaseAccess(string Domain, string Visibility, IReadOnlyList<string> Readers, string? OwnerEmail)
{
    /// <summary>The access of a loaded spec.</summary>
    public static ReleaseAccess FromSpec(Specs.ProductSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return new ReleaseAccess(spec.Domain, spec.Access.Visibility, spec.Access.Readers, spec.Owner?.Email);
    }
}
