using System.Globalization;
using System.Text.RegularExpressions;
using DataMesh.Contracts;
using Semver;

namespace DataMesh.Governance;

/// <summary>
/// Breaking-change detection between two versions of a contract: removed or renamed columns, narrowing type
/// changes, columns made required or optional, <c>unique</c> or primary key dropped, classification raised,
/// masking changed and quality guarantees removed need a major version; additive changes a minor one;
/// descriptions a patch.
/// </summary>
public static partial class ContractComparer
{
    private static readonly Dictionary<string, int> ClassificationRank = new(StringComparer.OrdinalIgnoreCase)
    {
        ["public"] = 0,
        ["internal"] = 1,
        ["confidential"] = 2,
        ["sensitive"] = 2,
        ["pii"] = 3,
        ["restricted"] = 4,
        ["secret"] = 4,
    };

    private static readonly Dictionary<string, int> IntegerRank = new(StringComparer.Ordinal)
    {
        ["tinyint"] = 1,
        ["smallint"] = 2,
        ["integer"] = 3,
        ["bigint"] = 4,
        ["hugeint"] = 5,
    };

    private static readonly Dictionary<string, int> IntegerDigits = new(StringComparer.Ordinal)
    {
        ["tinyint"] = 3,
        ["smallint"] = 5,
        ["integer"] = 10,
        ["bigint"] = 19,
        ["hugeint"] = 39,
    };

    /// <summary>Compares <paramref name="old"/> with <paramref name="current"/>.</summary>
    public static ContractDiff Compare(DataContract old, DataContract current)
    {
        ArgumentNullException.ThrowIfNull(old);
        ArgumentNullException.ThrowIfNull(current);
        var changes = new List<ContractChange>();
        foreach (var before in old.Schema)
        {
            var after = current.Schema.FirstOrDefault(o => Same(o.Name, before.Name));
            if (after is null)
            {
                changes.Add(new(ContractChangeKind.ObjectRemoved, VersionBump.Major, before.Name, null, $"object {before.Name} removed"));
                continue;
            }

            CompareObject(before, after, changes);
        }

        foreach (var added in current.Schema.Where(o => !old.Schema.Any(b => Same(b.Name, o.Name))))
        {
            changes.Add(new(ContractChangeKind.ObjectAdded, VersionBump.Minor, added.Name, null, $"object {added.Name} added"));
        }

        return new ContractDiff { OldVersion = old.Version, NewVersion = current.Version, Changes = changes };
    }

    /// <summary>The bump from <paramref name="oldVersion"/> to <paramref name="newVersion"/>; None when equal, lower or not semver.</summary>
    public static VersionBump DeclaredBump(string oldVersion, string newVersion)
    {
        if (!SemVersion.TryParse(oldVersion, SemVersionStyles.Strict, out var old)
            || !SemVersion.TryParse(newVersion, SemVersionStyles.Strict, out var current)
            || current.ComparePrecedenceTo(old) <= 0)
        {
            return VersionBump.None;
        }

        return current.Major != old.Major ? VersionBump.Major
            : current.Minor != old.Minor ? VersionBump.Minor
            : VersionBump.Patch;
    }

    private static void CompareObject(SchemaObject before, SchemaObject after, List<ContractChange> changes)
    {
        var o = before.Name;
        var removed = before.Properties.Where(p => !after.Properties.Any(a => Same(a.Name, p.Name))).ToList();
        var added = after.Properties.Where(p => !before.Properties.Any(b => Same(b.Name, p.Name))).ToList();
        foreach (var column in removed)
        {
            // A column gone and another of the same type in its place is a rename: consumers break all the same.
            var index = IndexOf(before.Properties, column);
            var successor = index < after.Properties.Count ? after.Properties[index] : null;
            if (successor is not null && added.Contains(successor) && TypeOf(successor) == TypeOf(column))
            {
                added.Remove(successor);
                changes.Add(new(ContractChangeKind.ColumnRenamed, VersionBump.Major, o, column.Name, $"{o}.{column.Name} renamed to {successor.Name}"));
            }
            else
            {
                changes.Add(new(ContractChangeKind.ColumnRemoved, VersionBump.Major, o, column.Name, $"{o}.{column.Name} removed"));
            }
        }

        foreach (var column in added)
        {
            changes.Add(new(ContractChangeKind.ColumnAdded, VersionBump.Minor, o, column.Name, $"{o}.{column.Name} added ({TypeOf(column)})"));
        }

        foreach (var column in before.Properties)
        {
            var next = after.Properties.FirstOrDefault(a => Same(a.Name, column.Name));
            if (next is not null)
            {
                CompareColumn(o, column, next, changes);
            }
        }

        CompareRules(o, before.Quality, after.Quality, changes);
        if (!string.Equals(before.Description, after.Description, StringComparison.Ordinal))
        {
            changes.Add(new(ContractChangeKind.DescriptionChanged, VersionBump.Patch, o, null, $"{o} description changed"));
        }
    }

    private static void CompareColumn(string o, ContractProperty before, ContractProperty after, List<ContractChange> changes)
    {
        var at = $"{o}.{before.Name}";
        var typeChange = CompareTypes(before, after);
        if (typeChange is { } kind)
        {
            var bump = kind == ContractChangeKind.TypeWidened ? VersionBump.Minor : VersionBump.Major;
            var verb = kind switch
            {
                ContractChangeKind.TypeWidened => "widened",
                ContractChangeKind.TypeNarrowed => "narrowed",
                _ => "changed",
            };
            changes.Add(new(kind, bump, o, before.Name, $"{at} type {verb}: {TypeOf(before)} -> {TypeOf(after)}"));
        }

        if (before.Required != after.Required)
        {
            changes.Add(after.Required
                ? new(ContractChangeKind.MadeRequired, VersionBump.Major, o, before.Name, $"{at} made required")
                : new(ContractChangeKind.MadeOptional, VersionBump.Major, o, before.Name, $"{at} made optional (may now be null)"));
        }

        if (before.Unique != after.Unique)
        {
            changes.Add(after.Unique
                ? new(ContractChangeKind.UniqueAdded, VersionBump.Minor, o, before.Name, $"{at} made unique")
                : new(ContractChangeKind.UniqueDropped, VersionBump.Major, o, before.Name, $"{at} no longer unique"));
        }

        if (before.PrimaryKey != after.PrimaryKey)
        {
            changes.Add(after.PrimaryKey
                ? new(ContractChangeKind.PrimaryKeyAdded, VersionBump.Minor, o, before.Name, $"{at} made part of the primary key")
                : new(ContractChangeKind.PrimaryKeyDropped, VersionBump.Major, o, before.Name, $"{at} dropped from the primary key"));
        }

        if (!string.Equals(before.Classification, after.Classification, StringComparison.OrdinalIgnoreCase))
        {
            var from = Rank(before.Classification);
            var to = Rank(after.Classification);
            changes.Add(to <= from && from >= 0 && to >= 0
                ? new(ContractChangeKind.ClassificationLowered, VersionBump.Minor, o, before.Name, $"{at} classification lowered: {before.Classification ?? "none"} -> {after.Classification ?? "none"}")
                : new(ContractChangeKind.ClassificationRaised, VersionBump.Major, o, before.Name, $"{at} classification raised: {before.Classification ?? "none"} -> {after.Classification ?? "none"}"));
        }

        if (!string.Equals(before.Masking, after.Masking, StringComparison.Ordinal))
        {
            changes.Add(new(ContractChangeKind.MaskingChanged, VersionBump.Major, o, before.Name, $"{at} masking changed: {before.Masking ?? "none"} -> {after.Masking ?? "none"} (values change)"));
        }

        CompareRules(at, before.Quality, after.Quality, changes, o, before.Name);
        if (!string.Equals(before.Description, after.Description, StringComparison.Ordinal))
        {
            changes.Add(new(ContractChangeKind.DescriptionChanged, VersionBump.Patch, o, before.Name, $"{at} description changed"));
        }
    }

    private static void CompareRules(string owner, IReadOnlyList<QualityRule> before, IReadOnlyList<QualityRule> after, List<ContractChange> changes, string? o = null, string? property = null)
    {
        o ??= owner;
        foreach (var rule in before)
        {
            var next = after.FirstOrDefault(r => r.Name == rule.Name);
            if (next is null)
            {
                changes.Add(new(ContractChangeKind.QualityRuleRemoved, VersionBump.Major, o, property, $"{owner}: quality rule {rule.Name} removed (a guarantee consumers may rely on)"));
            }
            else if (next.Comparison != rule.Comparison || next.Query != rule.Query || next.Unit != rule.Unit || next.Severity != rule.Severity
                || !Equal(next.ValidValues, rule.ValidValues) || next.Pattern != rule.Pattern || !Equal(next.MissingValues, rule.MissingValues))
            {
                changes.Add(new(ContractChangeKind.QualityRuleChanged, VersionBump.Minor, o, property, $"{owner}: quality rule {rule.Name} changed"));
            }
        }

        foreach (var rule in after.Where(r => !before.Any(b => b.Name == r.Name)))
        {
            changes.Add(new(ContractChangeKind.QualityRuleAdded, VersionBump.Minor, o, property, $"{owner}: quality rule {rule.Name} added"));
        }
    }

    private static bool Equal(IReadOnlyList<string?>? a, IReadOnlyList<string?>? b) =>
        (a is null && b is null) || (a is not null && b is not null && a.SequenceEqual(b));

    /// <summary>The type change between two versions of a column, or null when the type is the same.</summary>
    private static ContractChangeKind? CompareTypes(ContractProperty before, ContractProperty after)
    {
        if (before.PhysicalType is not null && after.PhysicalType is not null)
        {
            var (from, to) = (Physical(before.PhysicalType), Physical(after.PhysicalType));
            return from == to ? null : ComparePhysical(from, to);
        }

        var (a, b) = (before.LogicalType?.ToLowerInvariant(), after.LogicalType?.ToLowerInvariant());
        if (a == b)
        {
            return null;
        }

        return (a, b) switch
        {
            ("integer", "number") => ContractChangeKind.TypeWidened,
            ("number", "integer") => ContractChangeKind.TypeNarrowed,
            _ => ContractChangeKind.TypeChanged,
        };
    }

    private static ContractChangeKind ComparePhysical(string from, string to)
    {
        if (IntegerRank.TryGetValue(from, out var a) && IntegerRank.TryGetValue(to, out var b))
        {
            return b > a ? ContractChangeKind.TypeWidened : ContractChangeKind.TypeNarrowed;
        }

        var fromDecimal = Decimal(from);
        var toDecimal = Decimal(to);
        if (IntegerDigits.TryGetValue(from, out var digits) && toDecimal is { } target)
        {
            return target.Precision - target.Scale >= digits ? ContractChangeKind.TypeWidened : ContractChangeKind.TypeNarrowed;
        }

        if (fromDecimal is { } source && toDecimal is { } wider)
        {
            return wider.Scale >= source.Scale && wider.Precision - wider.Scale >= source.Precision - source.Scale
                ? ContractChangeKind.TypeWidened
                : ContractChangeKind.TypeNarrowed;
        }

        var numeric = IntegerRank.ContainsKey(from) || fromDecimal is not null || from == "float";
        if (numeric && to == "double" || from == "float" && to == "double" || IntegerRank.ContainsKey(from) && to == "float")
        {
            return ContractChangeKind.TypeWidened;
        }

        var fromNumber = IntegerRank.ContainsKey(from) || fromDecimal is not null || from is "float" or "double";
        var toNumber = IntegerRank.ContainsKey(to) || toDecimal is not null || to is "float" or "double";
        return fromNumber && toNumber ? ContractChangeKind.TypeNarrowed : ContractChangeKind.TypeChanged;
    }

    private static (int Precision, int Scale)? Decimal(string type)
    {
        var match = DecimalType().Match(type);
        if (!match.Success)
        {
            return null;
        }

        // DuckDB: DECIMAL alone is DECIMAL(18,3); DECIMAL(p) has scale 0.
        if (!match.Groups[1].Success)
        {
            return (18, 3);
        }

        var precision = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        var scale = match.Groups[2].Success ? int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture) : 0;
        return (precision, scale);
    }

    /// <summary>A DuckDB type with its aliases resolved: <c>INT4</c> is integer, <c>text</c> is varchar, <c>numeric(10, 2)</c> is decimal(10,2).</summary>
    private static string Physical(string type)
    {
        var t = Whitespace().Replace(type.Trim().ToLowerInvariant(), "");
        t = NumericAlias().Replace(t, "decimal");
        return t switch
        {
            "int" or "int4" or "signed" or "integer" => "integer",
            "int8" or "long" or "bigint" => "bigint",
            "int2" or "short" or "smallint" => "smallint",
            "int1" or "tinyint" => "tinyint",
            "int128" or "hugeint" => "hugeint",
            "float4" or "real" or "float" => "float",
            "float8" or "double" or "doubleprecision" => "double",
            "bool" or "logical" or "boolean" => "boolean",
            "datetime" or "timestamp" => "timestamp",
            _ when t.StartsWith("varchar", StringComparison.Ordinal) || t is "text" or "string" or "char" or "bpchar" => "varchar",
            _ => t,
        };
    }

    private static string TypeOf(ContractProperty property) =>
        property.PhysicalType is not null ? Physical(property.PhysicalType) : property.LogicalType ?? "untyped";

    private static int Rank(string? classification) =>
        classification is null ? 0 : ClassificationRank.GetValueOrDefault(classification, -1);

    private static int IndexOf(IReadOnlyList<ContractProperty> properties, ContractProperty property)
    {
        for (var i = 0; i < properties.Count; i++)
        {
            if (ReferenceEquals(properties[i], property))
            {
                return i;
            }
        }

        return -1;
    }

    private static bool Same(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    [GeneratedRegex(@"^decimal(?:\((\d+)(?:,(\d+))?\))?$", RegexOptions.CultureInvariant)]
    private static partial Regex DecimalType();

    [GeneratedRegex(@"^numeric(?=\(|$)", RegexOptions.CultureInvariant)]
    private static partial Regex NumericAlias();

    [GeneratedRegex(@"\s+", RegexOptions.CultureInvariant)]
    private static partial Regex Whitespace();
}
