using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml;
using DataMesh.Specs;
using YamlDotNet.RepresentationModel;

namespace DataMesh.Governance;

/// <summary>Reads the structure of a <c>mesh.yaml</c> mapping strictly: unknown keys, unknown policies and bad values are errors.</summary>
internal sealed partial class MeshPoliciesReader
{
    public static readonly YamlDiagnosticCodes Codes = new(
        PolicyDiagnosticCodes.YamlSyntax,
        PolicyDiagnosticCodes.UnknownKey,
        PolicyDiagnosticCodes.MissingField,
        PolicyDiagnosticCodes.WrongType);

    public const string ApiVersion = "datamesh/v1";

    public const string Kind = "Mesh";

    private static readonly string[] TopLevelKeys = ["apiVersion", "kind", "policies", "exemptions"];
    private static readonly string[] PolicyKeys = ["id", "severity", "message", "parameters"];
    private static readonly string[] ExemptionKeys = ["product", "policy", "reason", "expires"];

    private readonly DiagnosticSink _sink;

    /// <summary>Every policy id written under <c>policies:</c>, even in an entry with errors (so exemptions of it are not reported twice).</summary>
    private readonly HashSet<string> _listed = new(StringComparer.Ordinal);

    /// <summary>Whether a policy entry has no id or an unknown one: it may be the policy an exemption names, so that is not reported again.</summary>
    private bool _unidentifiedPolicy;

    public MeshPoliciesReader(DiagnosticSink sink)
    {
        _sink = sink;
    }

    public List<MeshPolicy> Policies { get; } = [];

    public List<PolicyExemption> Exemptions { get; } = [];

    public void Read(YamlMappingNode root)
    {
        var mesh = new YamlMappingReader(root, "", _sink);
        mesh.RejectUnknownKeys(TopLevelKeys);

        var apiVersion = mesh.String("apiVersion", required: true, $"add apiVersion: {ApiVersion}.");
        if (apiVersion is not null && apiVersion != ApiVersion)
        {
            _sink.Error(mesh.Value("apiVersion")!, PolicyDiagnosticCodes.InvalidApiVersion, $"apiVersion: '{apiVersion}' is not supported; use apiVersion: {ApiVersion}.");
        }

        var kind = mesh.String("kind", required: true, $"add kind: {Kind}.");
        if (kind is not null && kind != Kind)
        {
            _sink.Error(mesh.Value("kind")!, PolicyDiagnosticCodes.InvalidKind, $"kind: '{kind}' is not the mesh file's kind; use kind: {Kind}.");
        }

        var policies = mesh.Sequence("policies", required: true, "list the policies the mesh enforces, e.g. policies: [{ id: owner-email-required, severity: error }].");
        if (policies is not null)
        {
            foreach (var item in mesh.MappingItems(policies, "policies"))
            {
                ReadPolicy(item);
            }
        }

        var exemptions = mesh.Sequence("exemptions");
        if (exemptions is not null)
        {
            foreach (var item in mesh.MappingItems(exemptions, "exemptions"))
            {
                ReadExemption(item);
            }
        }
    }

    private void ReadPolicy(YamlMappingReader item)
    {
        item.RejectUnknownKeys(PolicyKeys);
        var id = item.String("id", required: true, $"name the policy, one of: {string.Join(", ", PolicyCatalog.All.Select(c => c.Id))}.");
        _unidentifiedPolicy |= id is null;
        IPolicyCheck? check = null;
        if (id is not null)
        {
            _listed.Add(id);
            check = PolicyCatalog.Find(id);
            if (check is null)
            {
                _unidentifiedPolicy = true;
                var suggestion = PolicyCatalog.Suggest(id);
                var didYouMean = suggestion is null ? "" : $" (did you mean '{suggestion}'?)";
                _sink.Error(item.Value("id")!, PolicyDiagnosticCodes.UnknownPolicy,
                    $"{item.FieldPath("id")}: '{id}' is not a policy the engine knows{didYouMean}; use one of: {string.Join(", ", PolicyCatalog.All.Select(c => c.Id))}.");
            }
            else if (Policies.Find(p => p.Id == id) is { } first)
            {
                _sink.Error(item.Value("id")!, PolicyDiagnosticCodes.DuplicatePolicy,
                    $"{item.FieldPath("id")}: '{id}' is already listed at line {first.Line}; keep one entry per policy.");
                check = null;
            }
        }

        var severityText = item.String("severity", required: true, "add severity: error (fails validate) or warning (reported only).");
        DiagnosticSeverity? severity = severityText switch
        {
            "error" => DiagnosticSeverity.Error,
            "warning" => DiagnosticSeverity.Warning,
            _ => null,
        };
        if (severityText is not null && severity is null)
        {
            _sink.Error(item.Value("severity")!, PolicyDiagnosticCodes.InvalidSeverity,
                $"{item.FieldPath("severity")}: '{severityText}' is not a severity; use error (fails validate) or warning (reported only).");
        }

        var message = item.String("message");
        var parameters = check is null ? [] : ReadParameters(item, check);
        if (check is null || severity is null)
        {
            return;
        }

        Policies.Add(new MeshPolicy
        {
            Id = check.Id,
            Severity = severity.Value,
            Message = string.IsNullOrWhiteSpace(message) ? check.DefaultMessage : message.Trim(),
            Parameters = parameters,
            Line = (int)item.Node.Start.Line,
            Column = (int)item.Node.Start.Column,
        });
    }

    private Dictionary<string, IReadOnlyList<string>> ReadParameters(YamlMappingReader item, IPolicyCheck check)
    {
        var values = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        var parameters = item.Mapping("parameters");
        if (parameters is null)
        {
            return values;
        }

        if (check.Parameters.Count == 0)
        {
            _sink.Error(item.KeyNode("parameters")!, PolicyDiagnosticCodes.InvalidParameter, $"{item.FieldPath("parameters")}: {check.Id} takes no parameters; remove them.");
            return values;
        }

        parameters.RejectUnknownKeys(check.Parameters.Select(p => p.Name).ToList());
        foreach (var parameter in check.Parameters.Where(p => parameters.Has(p.Name)))
        {
            var value = ReadParameter(parameters, parameter);
            if (value is not null)
            {
                values[parameter.Name] = value;
            }
        }

        return values;
    }

    private List<string>? ReadParameter(YamlMappingReader parameters, PolicyParameter parameter)
    {
        var field = parameters.FieldPath(parameter.Name);
        var node = parameters.Value(parameter.Name)!;
        switch (parameter.Kind)
        {
            case PolicyParameterKind.NameList:
                var names = parameters.StringList(parameter.Name);
                if (names is null)
                {
                    return null;
                }

                if (names.Count == 0)
                {
                    _sink.Error(node, PolicyDiagnosticCodes.InvalidParameter, $"{field}: the list is empty; name at least one value or remove the parameter.");
                    return null;
                }

                var unknown = parameter.AllowedValues is null ? null : names.FirstOrDefault(n => !parameter.AllowedValues.Contains(n, StringComparer.Ordinal));
                if (unknown is not null)
                {
                    _sink.Error(node, PolicyDiagnosticCodes.InvalidParameter, $"{field}: '{unknown}' is not one of {string.Join(", ", parameter.AllowedValues!)}.");
                    return null;
                }

                return names.ToList();
            case PolicyParameterKind.PositiveInteger:
                var number = parameters.Number(parameter.Name);
                if (number is null)
                {
                    return null;
                }

                if (number < 1 || number != decimal.Truncate(number.Value) || number > int.MaxValue)
                {
                    _sink.Error(node, PolicyDiagnosticCodes.InvalidParameter, $"{field}: must be a whole number, 1 or more, found {number}.");
                    return null;
                }

                return [((int)number).ToString(CultureInfo.InvariantCulture)];
            default:
                var text = parameters.String(parameter.Name);
                if (text is null)
                {
                    return null;
                }

                if (!TryDuration(text, out _))
                {
                    _sink.Error(node, PolicyDiagnosticCodes.InvalidParameter, $"{field}: '{text}' is not a positive ISO 8601 duration; write e.g. PT24H or P7D.");
                    return null;
                }

                return [text];
        }
    }

    private void ReadExemption(YamlMappingReader item)
    {
        item.RejectUnknownKeys(ExemptionKeys);
        var product = item.String("product", required: true, "name the exempted product, e.g. product: finance.ledger-emea.");
        if (product is not null && !ProductId().IsMatch(product))
        {
            _sink.Error(item.Value("product")!, PolicyDiagnosticCodes.InvalidExemptionProduct,
                $"{item.FieldPath("product")}: '{product}' is not a product id; write <domain>.<name> in kebab-case, e.g. finance.ledger-emea.");
            product = null;
        }

        var policy = item.String("policy", required: true, "name the policy the product may break, e.g. policy: description-required.");
        var known = policy is not null && PolicyCatalog.Find(policy) is not null;
        if (policy is not null && !_listed.Contains(policy) && !(known && _unidentifiedPolicy))
        {
            _sink.Error(item.Value("policy")!, PolicyDiagnosticCodes.ExemptionPolicyNotListed, known
                ? $"{item.FieldPath("policy")}: '{policy}' is not enforced by this mesh (not under policies:); remove the exemption or list the policy."
                : $"{item.FieldPath("policy")}: '{policy}' is not a policy of this mesh; use one of: {string.Join(", ", Policies.Select(p => p.Id))}.");
            policy = null;
        }
        else if (policy is not null && Policies.TrueForAll(p => p.Id != policy))
        {
            policy = null; // its policy entry has errors, reported there
        }

        var reason = item.String("reason", required: true, "say why the product may break the policy, and what will fix it.");
        if (reason is not null && string.IsNullOrWhiteSpace(reason))
        {
            item.ReportMissing("reason", "say why the product may break the policy, and what will fix it.");
            reason = null;
        }

        var expiresText = item.String("expires", required: true, "give the last day it holds, e.g. expires: 2026-12-31; exemptions do not last for ever.");
        DateOnly? expires = null;
        if (expiresText is not null)
        {
            if (DateOnly.TryParseExact(expiresText, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            {
                expires = date;
            }
            else
            {
                _sink.Error(item.Value("expires")!, PolicyDiagnosticCodes.InvalidExpiry,
                    $"{item.FieldPath("expires")}: '{expiresText}' is not a date; write YYYY-MM-DD, e.g. 2026-12-31 (the last day the exemption holds).");
            }
        }

        if (product is not null && policy is not null && Exemptions.Find(e => e.Product == product && e.Policy == policy) is { } first)
        {
            _sink.Error(item.Node, PolicyDiagnosticCodes.DuplicateExemption,
                $"{item.Path}: {product} is already exempted from {policy} at line {first.Line}; keep one exemption per product and policy.");
            return;
        }

        if (product is null || policy is null || reason is null || expires is null)
        {
            return;
        }

        var expiresNode = item.Value("expires")!;
        Exemptions.Add(new PolicyExemption
        {
            Product = product,
            Policy = policy,
            Reason = reason.Trim(),
            Expires = expires.Value,
            Line = (int)item.Node.Start.Line,
            Column = (int)item.Node.Start.Column,
            ExpiresLine = (int)expiresNode.Start.Line,
            ExpiresColumn = (int)expiresNode.Start.Column,
        });
    }

    internal static bool TryDuration(string text, out TimeSpan duration)
    {
        try
        {
            duration = XmlConvert.ToTimeSpan(text);
            return duration > TimeSpan.Zero;
        }
        catch (Exception ex) when (ex is FormatException or OverflowException)
        {
            duration = default;
            return false;
        }
    }

    [GeneratedRegex(@"^[a-z][a-z0-9]*(-[a-z0-9]+)*\.[a-z][a-z0-9]*(-[a-z0-9]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex ProductId();
}
