using DataMesh.Events;
using DataMesh.Pipeline;

namespace DataMesh.Core.Tests.Events;

/// <summary>Event data for one product, finance.ledger-emea unless told otherwise.</summary>
internal static class SampleEvents
{
    internal static readonly DateTimeOffset BaseTime = new(2025, 3, 14, 9, 30, 0, TimeSpan.Zero);

    internal static QualitySummary PassedQuality(long rows) => new(
        true,
        rows,
        [new QualityRuleResult("entry_id_unique", "entry_id", "duplicateCount", "error", 0m, "rows", "= 0", true, 0)]);

    internal static QualitySummary FailedQuality(long rows) => new(
        false,
        rows,
        [new QualityRuleResult("amount_not_null", "amount", "nullCount", "error", 3m, "rows", "= 0", false, 3)]);

    internal static ProductVersionPublishedData Published(string version = "1.2.0", int release = 1, string domain = "finance", string name = "ledger-emea") => new()
    {
        ProductId = $"{domain}.{name}",
        Domain = domain,
        Name = name,
        Version = version,
        Release = release,
        RunId = $"run-{version}-{release}",
        Location = $"http://127.0.0.1:10000/devstoreaccount1/{domain}-products/{name}/{version}/{release}/",
        Rows = 100L * release,
        SchemaHash = "ab12cd34",
        Quality = PassedQuality(100L * release),
        Upstream = [new UpstreamRelease("treasury.fx-rates", "1.0.0", 4)],
        Landing = [new LandingBlob($"{domain}-landing", "ledger/emea/2025-03.csv", "\"0x8DD\"", 2048, "e3b0c442")],
        PublishedAt = BaseTime.AddMinutes(release),
    };

    internal static QualityCheckFailedData QualityFailed(string runId = "run-q", string domain = "finance", string name = "ledger-emea") => new()
    {
        ProductId = $"{domain}.{name}",
        Domain = domain,
        Name = name,
        Version = "1.2.0",
        RunId = runId,
        Stage = "quality",
        Error = "Quality rule amount_not_null failed: 3 rows have no amount.",
        Quality = FailedQuality(40),
        Quarantined = ["ledger/emea/2025-04.csv"],
        FailedAt = BaseTime.AddHours(1),
    };

    internal static PipelineRunFailedData RunFailed(string runId = "run-f", string domain = "finance", string name = "ledger-emea") => new()
    {
        ProductId = $"{domain}.{name}",
        Domain = domain,
        Name = name,
        Version = "1.2.0",
        RunId = runId,
        Stage = "transform",
        Error = "Binder Error: column \"amout\" not found.",
        FailedAt = BaseTime.AddHours(2),
    };
}
