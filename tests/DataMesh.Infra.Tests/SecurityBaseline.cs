using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DataMesh.Infra.Tests.Arm;

namespace DataMesh.Infra.Tests;

/// <summary>
/// The security rules every template must meet, each as a check that lists the violations it finds (none = compliant).
/// The same checks run on the real templates and on a deliberately insecure copy, which they must catch.
/// </summary>
public static partial class SecurityBaseline
{
    private static readonly string[] AcceptedStorageTls = ["TLS1_2", "TLS1_3"];
    private static readonly string[] AcceptedSiteTls = ["1.2", "1.3"];

    /// <summary>Entra ID only (no shared keys), no public blobs, TLS 1.2 or later, HTTPS only.</summary>
    public static IEnumerable<string> StorageAccountViolations(JsonObject account)
    {
        var name = account.Text("name");
        if (!account.IsLiteral("properties.allowSharedKeyAccess", false))
        {
            yield return $"storage account {name}: allowSharedKeyAccess is not false ({Show(account.At("properties.allowSharedKeyAccess"))})";
        }

        if (!account.IsLiteral("properties.allowBlobPublicAccess", false))
        {
            yield return $"storage account {name}: allowBlobPublicAccess is not false ({Show(account.At("properties.allowBlobPublicAccess"))})";
        }

        if (!AcceptedStorageTls.Contains(account.Text("properties.minimumTlsVersion")))
        {
            yield return $"storage account {name}: minimumTlsVersion is {Show(account.At("properties.minimumTlsVersion"))}, not TLS1_2 or later";
        }

        if (!account.IsLiteral("properties.supportsHttpsTrafficOnly", true))
        {
            yield return $"storage account {name}: supportsHttpsTrafficOnly is not true";
        }
    }

    /// <summary>HTTPS only, TLS 1.2 or later, no FTP, and a user-assigned managed identity.</summary>
    public static IEnumerable<string> SiteViolations(JsonObject site)
    {
        var name = site.Text("name");
        if (!site.IsLiteral("properties.httpsOnly", true))
        {
            yield return $"site {name}: httpsOnly is not true";
        }

        if (site.Text("identity.type") != "UserAssigned")
        {
            yield return $"site {name}: identity type is {Show(site.At("identity.type"))}, not UserAssigned";
        }

        if (!AcceptedSiteTls.Contains(site.Text("properties.siteConfig.minTlsVersion")))
        {
            yield return $"site {name}: siteConfig.minTlsVersion is {Show(site.At("properties.siteConfig.minTlsVersion"))}, not 1.2 or later";
        }

        if (site.Text("properties.siteConfig.ftpsState") != "Disabled")
        {
            yield return $"site {name}: FTP is not disabled";
        }
    }

    /// <summary>Key-reading ARM functions (listKeys, listAccountSas...) and key-bearing connection strings or SAS.</summary>
    public static IEnumerable<string> SecretLeaks(string text, string where) =>
        SecretPattern().Matches(text)
            .Select(m => m.Value)
            .Distinct(StringComparer.Ordinal)
            .Select(found => $"{where}: contains '{found}'");

    /// <summary>An output must be neither secure-typed, nor named like a secret, nor computed from one.</summary>
    public static IEnumerable<string> OutputViolations(string name, JsonObject output, string where)
    {
        var type = output.Text("type") ?? "";
        if (type.StartsWith("secure", StringComparison.OrdinalIgnoreCase))
        {
            yield return $"{where}: output {name} is {type}";
        }

        if (SecretName().IsMatch(name))
        {
            yield return $"{where}: output {name} is named like a secret";
        }

        foreach (var leak in SecretLeaks(output["value"]?.ToJsonString() ?? "", $"{where}: output {name}"))
        {
            yield return leak;
        }
    }

    private static string Show(JsonNode? node) => node?.ToJsonString() ?? "missing";

    [GeneratedRegex(@"\blist[A-Z][A-Za-z]*\s*\(|AccountKey=|SharedAccessSignature|SharedAccessKey", RegexOptions.CultureInvariant)]
    private static partial Regex SecretPattern();

    [GeneratedRegex("key|secret|password|connectionstring|sas|credential", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SecretName();
}
