namespace DataMesh.Specs;

/// <summary>The <c>limits</c> mapping of <c>product.yaml</c>: a time limit per stage.</summary>
internal sealed partial class ProductSpecReader
{
    public StageLimits Limits { get; private set; } = StageLimits.Default;

    private StageLimits ReadLimits(YamlMappingReader spec)
    {
        var limits = spec.Mapping("limits");
        if (limits is null)
        {
            return StageLimits.Default;
        }

        limits.RejectUnknownKeys([.. StageLimits.Stages]);
        var result = StageLimits.Default;
        foreach (var stage in StageLimits.Stages)
        {
            var text = limits.String(stage);
            if (text is null)
            {
                continue;
            }

            TimeSpan? limit;
            try
            {
                limit = System.Xml.XmlConvert.ToTimeSpan(text);
            }
            catch (Exception ex) when (ex is FormatException or OverflowException)
            {
                limit = null;
            }

            if (limit is null || limit <= TimeSpan.Zero)
            {
                _sink.Error(limits.Value(stage)!, SpecDiagnosticCodes.InvalidTimeLimit,
                    $"{limits.FieldPath(stage)}: '{text}' is not a positive ISO 8601 duration; write e.g. PT30M (30 minutes) or PT2H. Without it the stage may take {StageLimits.Default.For(stage)}.");
                continue;
            }

            result = result.With(stage, limit.Value);
        }

        return result;
    }
}
