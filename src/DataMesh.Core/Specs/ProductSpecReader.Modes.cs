using YamlDotNet.RepresentationModel;

namespace DataMesh.Specs;

/// <summary>
/// The dataset keys of <c>product.yaml</c>: <c>output.mode</c>, <c>output.key</c>, <c>output.deleteWhen</c>,
/// <c>output.retention</c> and an upstream input's <c>read</c>. Their combinations are checked here; whether the key
/// columns exist in the contract is checked by <see cref="ProductSpecLoader"/>, which reads the contract.
/// </summary>
internal sealed partial class ProductSpecReader
{
    private static readonly string[] Modes = ["replace", "append", "merge", "partitions"];
    private static readonly string[] Reads = ["snapshot", "changes"];
    private static readonly string[] RetentionKeys = ["releases", "age"];

    public OutputMode Mode { get; private set; } = OutputMode.Replace;

    public YamlNode? ModeNode { get; private set; }

    public IReadOnlyList<(string Column, YamlNode Node)> Key { get; private set; } = [];

    public string? DeleteWhen { get; private set; }

    public RetentionSpec? Retention { get; private set; }

    private void ReadOutputMode(YamlMappingReader output)
    {
        var mode = output.String("mode");
        ModeNode = output.Value("mode");
        if (mode is not null)
        {
            var index = Array.IndexOf(Modes, mode);
            if (index < 0)
            {
                _sink.Error(ModeNode!, SpecDiagnosticCodes.InvalidOutputMode,
                    $"{output.FieldPath("mode")}: '{mode}' is not an output mode{Spelling.Suggest(mode, Modes)}; use replace (the default: a release is this run's output), append, merge (with key) or partitions (with partitionBy).");
            }
            else
            {
                Mode = (OutputMode)index;
            }
        }

        if (output.StringList("key") is not null && output.Value("key") is YamlSequenceNode key)
        {
            Key = key.Children
                .Where(n => n is YamlScalarNode s && !YamlScalars.IsNull(s))
                .Select(n => (((YamlScalarNode)n).Value!, n))
                .ToList();
            foreach (var duplicate in Key.GroupBy(k => k.Column, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
            {
                _sink.Error(duplicate.Skip(1).First().Node, SpecDiagnosticCodes.InvalidOutputKey,
                    $"{output.FieldPath("key")}: '{duplicate.Key}' is listed twice; name each key column once.");
            }
        }

        DeleteWhen = output.String("deleteWhen");
        if (DeleteWhen is not null && string.IsNullOrWhiteSpace(DeleteWhen))
        {
            _sink.Error(output.Value("deleteWhen")!, SpecDiagnosticCodes.InvalidOutputMode,
                $"{output.FieldPath("deleteWhen")}: is empty; write a SQL condition on an output row, e.g. deleteWhen: status = 'deleted', or remove it.");
            DeleteWhen = null;
        }

        var where = ModeNode ?? output.Node;
        switch (Mode)
        {
            case OutputMode.Merge when Key.Count == 0:
                _sink.Error(output.KeyNode("key") ?? where, SpecDiagnosticCodes.InvalidOutputKey,
                    $"{output.FieldPath("mode")}: merge upserts rows by key, and output.key names none; add key: [<column>, ...] (columns that identify a row, required in the contract).");
                break;
            case not OutputMode.Merge when output.Has("key"):
                _sink.Error(output.KeyNode("key")!, SpecDiagnosticCodes.InvalidOutputKey,
                    $"{output.FieldPath("key")}: only applies to mode: merge (mode is {Modes[(int)Mode]}); set mode: merge or remove key.");
                break;
        }

        if (Mode != OutputMode.Merge && output.Has("deleteWhen"))
        {
            _sink.Error(output.KeyNode("deleteWhen")!, SpecDiagnosticCodes.InvalidOutputMode,
                $"{output.FieldPath("deleteWhen")}: only applies to mode: merge (mode is {Modes[(int)Mode]}); set mode: merge with a key or remove deleteWhen.");
        }

        if (Mode == OutputMode.Partitions && !output.Has("partitionBy"))
        {
            _sink.Error(where, SpecDiagnosticCodes.InvalidOutputMode,
                $"{output.FieldPath("mode")}: partitions replaces the partitions a run touches, and output.partitionBy names none; add partitionBy: [<column>] (e.g. a date).");
        }

        Retention = ReadRetention(output);
    }

    private RetentionSpec? ReadRetention(YamlMappingReader output)
    {
        var retention = output.Mapping("retention");
        if (retention is null)
        {
            return null;
        }

        retention.RejectUnknownKeys(RetentionKeys);
        int? releases = null;
        if (retention.Number("releases") is { } count)
        {
            if (count < 1 || count != decimal.Truncate(count) || count > int.MaxValue)
            {
                _sink.Error(retention.Value("releases")!, SpecDiagnosticCodes.InvalidRetention,
                    $"{retention.FieldPath("releases")}: '{count}' is not a whole number of releases of at least 1; write e.g. releases: 30.");
            }
            else
            {
                releases = (int)count;
            }
        }

        TimeSpan? age = null;
        if (retention.String("age") is { } text)
        {
            try
            {
                age = System.Xml.XmlConvert.ToTimeSpan(text);
            }
            catch (Exception ex) when (ex is FormatException or OverflowException)
            {
                age = null;
            }

            if (age is null || age <= TimeSpan.Zero)
            {
                _sink.Error(retention.Value("age")!, SpecDiagnosticCodes.InvalidRetention,
                    $"{retention.FieldPath("age")}: '{text}' is not a positive ISO 8601 duration; write e.g. P90D (90 days) or P1Y.");
                age = null;
            }
        }

        if (releases is null && age is null && !retention.Has("releases") && !retention.Has("age"))
        {
            _sink.Error(retention.Node, SpecDiagnosticCodes.InvalidRetention,
                $"{output.FieldPath("retention")}: names no bound; write releases: N (keep the newest N) and/or age: P90D (keep releases younger than that), or remove it to keep every release.");
        }

        return releases is null && age is null ? null : new RetentionSpec { Releases = releases, Age = age };
    }

    private UpstreamRead ReadUpstreamRead(YamlMappingReader input, bool hasProduct)
    {
        var read = input.String("read");
        if (read is null)
        {
            return UpstreamRead.Snapshot;
        }

        if (!hasProduct)
        {
            _sink.Error(input.KeyNode("read")!, SpecDiagnosticCodes.InvalidInputSource,
                $"{input.FieldPath("read")}: only applies to product inputs (a landing input reads its files); remove it.");
            return UpstreamRead.Snapshot;
        }

        var index = Array.IndexOf(Reads, read);
        if (index < 0)
        {
            _sink.Error(input.Value("read")!, SpecDiagnosticCodes.InvalidUpstreamRead,
                $"{input.FieldPath("read")}: '{read}' is not a way to read a product{Spelling.Suggest(read, Reads)}; use snapshot (the whole table, the default) or changes (only the rows changed since the release this product last built from).");
            return UpstreamRead.Snapshot;
        }

        return (UpstreamRead)index;
    }

    private DriftPolicy ReadDriftPolicy(YamlMappingReader input, bool hasLanding, bool hasColumns)
    {
        var onDrift = input.String("onDrift");
        if (onDrift is null)
        {
            return DriftPolicy.Warn;
        }

        string[] policies = ["warn", "block"];
        var index = Array.IndexOf(policies, onDrift);
        if (index < 0)
        {
            _sink.Error(input.Value("onDrift")!, SpecDiagnosticCodes.InvalidDriftPolicy,
                $"{input.FieldPath("onDrift")}: '{onDrift}' is not a drift policy{Spelling.Suggest(onDrift, policies)}; use warn (publish and report the drift, the default) or block (quarantine a file that drifts from the declared columns).");
            return DriftPolicy.Warn;
        }

        if (!hasLanding)
        {
            _sink.Error(input.KeyNode("onDrift")!, SpecDiagnosticCodes.InvalidDriftPolicy,
                $"{input.FieldPath("onDrift")}: only applies to landing inputs (a product input reads a release its contract describes); remove it.");
            return DriftPolicy.Warn;
        }

        if (index == 1 && !hasColumns)
        {
            _sink.Error(input.KeyNode("onDrift")!, SpecDiagnosticCodes.InvalidDriftPolicy,
                $"{input.FieldPath("onDrift")}: block needs declared columns to measure drift against; declare the input's columns: (name, type, required) or remove onDrift.");
            return DriftPolicy.Warn;
        }

        return (DriftPolicy)index;
    }
}
