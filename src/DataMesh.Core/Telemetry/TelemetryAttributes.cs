namespace DataMesh.Telemetry;

/// <summary>Attribute (tag) names of the pipeline's spans and metrics, all under <c>datamesh.</c>.</summary>
public static class TelemetryAttributes
{
    /// <summary>Product id, <c>&lt;domain&gt;.&lt;name&gt;</c>.</summary>
    public const string Product = "datamesh.product";

    public const string Domain = "datamesh.domain";

    /// <summary>The product's semver from <c>product.yaml</c>.</summary>
    public const string Version = "datamesh.version";

    public const string RunId = "datamesh.run_id";

    /// <summary>Stage of a span or duration: <c>resolve</c>, <c>ingest</c>, <c>transform</c>, <c>quality</c>, <c>publish</c>, <c>quarantine</c>, <c>announce</c>, <c>cleanup</c>.</summary>
    public const string Stage = "datamesh.stage";

    /// <summary>Attempt of the activity, from 1; a retried stage has one span per attempt.</summary>
    public const string Attempt = "datamesh.attempt";

    /// <summary>Outcome of a stage attempt: <c>succeeded</c>, <c>rejected</c> (the product or its data; not retried) or <c>failed</c> (retried).</summary>
    public const string Outcome = "datamesh.outcome";

    /// <summary>Run status: <c>Published</c>, <c>QualityFailed</c> or <c>Failed</c>.</summary>
    public const string Status = "datamesh.status";

    public const string Release = "datamesh.release";

    public const string Rows = "datamesh.rows";

    public const string Bytes = "datamesh.bytes";

    /// <summary>Files a run ingests (landing blobs).</summary>
    public const string Files = "datamesh.files";

    /// <summary>Landing blob an ingest attempt read.</summary>
    public const string Blob = "datamesh.blob";

    /// <summary>Input port a file was ingested for.</summary>
    public const string Input = "datamesh.input";

    public const string QualityPassed = "datamesh.quality.passed";

    /// <summary>
    /// On the transform span: whether it took the quality gate's measures over its output (false: the quality stage
    /// scans the output itself).
    /// </summary>
    public const string QualityMeasured = "datamesh.quality.measured";

    /// <summary>Count of failed quality rules (any severity).</summary>
    public const string QualityFailedRules = "datamesh.quality.failed_rules";

    /// <summary>Names of the failed quality rules.</summary>
    public const string QualityFailedRuleNames = "datamesh.quality.failed_rule_names";

    /// <summary>Quality rule name (metric <c>datamesh.quality.failures</c>).</summary>
    public const string Rule = "datamesh.rule";

    /// <summary>Quality rule severity: <c>error</c> blocks the release, <c>warning</c> does not.</summary>
    public const string Severity = "datamesh.severity";

    /// <summary>Stage a failed run stopped in.</summary>
    public const string FailedStage = "datamesh.failed_stage";
}
