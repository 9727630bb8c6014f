using System.Text.RegularExpressions;
using DataMesh.Engine;
using DataMesh.Specs;

namespace DataMesh.Pipeline;

/// <summary>
/// Takes data values out of the error texts of a product with classified columns, before they leave the stage that
/// raised them (and with it the domain: events, catalog, OpenLineage, logs and traces all quote the stage's error).
/// DuckDB quotes the value it could not cast (<c>Could not convert string "6.304,65"</c>), the line it could not parse
/// and, for numbers or under a caret, the value unquoted (<c>with value 99999</c>, a line above <c>^</c>). Which column
/// a value came from cannot be told in general (the product's SQL maps input columns to output columns freely), so the
/// rule fails closed: in a product with any classified or masked column (<see cref="Masking.IsSensitive"/>), every
/// quoted value, quoted line, line pointed at and <c>with value</c> operand is redacted; only names the product declares (its inputs, their columns, the
/// contract's columns) and DuckDB type names stay quoted, so the message still says what to fix and where.
/// Products without classified columns keep the full text.
/// </summary>
public static partial class ErrorRedaction
{
    /// <summary>What replaces a value.</summary>
    public const string Marker = "[redacted]";

    private static readonly HashSet<string> TypeNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "BOOLEAN", "BOOL", "TINYINT", "SMALLINT", "INTEGER", "INT", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
        "UBIGINT", "UHUGEINT", "INT8", "INT16", "INT32", "INT64", "INT128", "UINT8", "UINT16", "UINT32", "UINT64", "UINT128",
        "FLOAT", "REAL", "DOUBLE", "DECIMAL", "NUMERIC", "VARCHAR", "TEXT", "STRING", "DATE", "TIME", "TIMESTAMP",
        "TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS", "INTERVAL", "UUID", "BLOB", "JSON",
    };

    /// <summary>Whether error texts of <paramref name="spec"/> are redacted: it has a classified or masked column.</summary>
    public static bool Applies(ProductSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return spec.Contract.Schema.SelectMany(s => s.Properties).Any(Masking.IsSensitive);
    }

    /// <summary><paramref name="text"/> without the values it quotes, when the product's error texts are redacted (<see cref="Applies"/>).</summary>
    public static string Redact(ProductSpec spec, string text)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (string.IsNullOrEmpty(text) || !Applies(spec))
        {
            return text;
        }

        var names = DeclaredNames(spec);
        var redacted = QuotedLine().Replace(text, m => m.Groups["label"].Value + Marker);
        redacted = PointedLine().Replace(redacted, m => Marker + m.Groups["caret"].Value);
        redacted = WithValue().Replace(redacted, m => m.Groups["lead"].Value + Marker);
        return Quoted().Replace(redacted, m =>
        {
            var content = m.Groups["content"].Value;
            // A lone punctuation mark ("starts with '['") is syntax, not a value.
            var punctuation = content.Length == 1 && !char.IsLetterOrDigit(content[0]);
            return punctuation || names.Contains(content) || IsTypeName(content) ? m.Value : m.Groups["quote"].Value + Marker + m.Groups["quote"].Value;
        });
    }

    /// <summary>
    /// <paramref name="exception"/> as it may leave the stage: itself when redaction changes nothing, otherwise an
    /// exception of the same kind (so retry and quarantine decisions stay the same) with the redacted message and no
    /// inner exception (it would carry the clear text into the durable failure details).
    /// </summary>
    public static Exception Redact(ProductSpec spec, Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var message = Redact(spec, exception.Message);
        var inner = exception.InnerException is { } cause ? Redact(spec, cause.Message) : null;
        if (message == exception.Message && (exception.InnerException is null || inner == exception.InnerException.Message))
        {
            return exception;
        }

        return exception switch
        {
            InputRejectedException => new InputRejectedException(message),
            UpstreamNotReadyException => new UpstreamNotReadyException(message),
            UpstreamReadRefusedException => new UpstreamReadRefusedException(message),
            PipelineStageException stage => new PipelineStageException(stage.Stage, message),
            // A platform failure stays one (retried): only its text changes.
            _ => new InvalidOperationException(message),
        };
    }

    private static HashSet<string> DeclaredNames(ProductSpec spec)
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { spec.Name, spec.Id };
        foreach (var input in spec.Inputs)
        {
            names.Add(input.Name);
            names.UnionWith(input.Columns.Select(c => c.Name));
        }

        names.UnionWith(spec.Contract.Schema.SelectMany(s => s.Properties).Select(p => p.Name));
        names.UnionWith(spec.Contract.Schema.Select(s => s.Name));
        return names;
    }

    private static bool IsTypeName(string text)
    {
        var bare = TypeArguments().Replace(text.Trim(), "");
        return TypeNames.Contains(bare);
    }

    // "Original Line: 7,Bob,6.304,65" (and the like) quotes a whole input line: drop it to the end of the line.
    [GeneratedRegex(@"(?<label>(?:Original|Problematic|Offending)\s+[Ll]ine[^:\n]*:\s*)[^\n]*", RegexOptions.CultureInvariant)]
    private static partial Regex QuotedLine();

    // A line DuckDB points into with a caret line below it ("04.03.2021\n   ^"): an input value, unless it is the
    // product's own SQL ("LINE 1: SELECT ..."), which is not data.
    [GeneratedRegex(@"^(?!LINE \d+:)[^\n]*(?<caret>\n[ \t]*\^[ \t]*)$", RegexOptions.CultureInvariant | RegexOptions.Multiline)]
    private static partial Regex PointedLine();

    // "Type INT64 with value 99999999999 can't be cast...": numbers are quoted by nothing.
    [GeneratedRegex(@"(?<lead>\bwith value\s+)(?:'[^']*'|""[^""]*""|\S+)", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex WithValue();

    // A quote opens where no letter or digit precedes it and closes where none follows (so "can't" opens nothing and
    // 'O'Brien' is one value); a value may span lines.
    [GeneratedRegex(@"(?<![\p{L}\p{N}])(?<quote>[""'])(?<content>[\s\S]*?)\k<quote>(?![\p{L}\p{N}])", RegexOptions.CultureInvariant)]
    private static partial Regex Quoted();

    [GeneratedRegex(@"\(\s*\d+\s*(,\s*\d+\s*)?\)|\[\]", RegexOptions.CultureInvariant)]
    private static partial Regex TypeArguments();
}
