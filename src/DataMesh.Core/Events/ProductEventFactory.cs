using Azure.Messaging;

namespace DataMesh.Events;

/// <summary>
/// Builds the CloudEvents 1.0 the mesh announces (DESIGN §6). Ids are deterministic, so a retried publish of
/// the same release or failure carries the same <c>source</c> + <c>id</c> and consumers can recognise the duplicate.
/// Run outcomes are shortened to fit one queue message (<see cref="ProductEventBudget"/>).
/// </summary>
public static class ProductEventFactory
{
    /// <summary>A release passed quality and its manifest is written. Id and subject: <c>&lt;productId&gt;/&lt;version&gt;/&lt;release&gt;</c>.</summary>
    public static CloudEvent CreateProductVersionPublished(ProductVersionPublishedData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        CheckProductId(data.ProductId, data.Domain, data.Name);
        if (data.Release < 1)
        {
            throw new ArgumentException($"Release of {data.ProductId} {data.Version} must be 1 or more, not {data.Release}.", nameof(data));
        }

        var subject = ProductEventTypes.Subject(data.ProductId, data.Version, data.Release);
        return Create(data.Domain, data.Name, ProductEventTypes.ProductVersionPublished, subject, subject, data.PublishedAt, ProductEventBudget.Fit(data));
    }

    /// <summary>A run stopped at the quality gate. Subject: <c>&lt;productId&gt;/&lt;version&gt;/runs/&lt;runId&gt;</c>; id: <c>&lt;runId&gt;/&lt;type&gt;</c>.</summary>
    public static CloudEvent CreateQualityCheckFailed(QualityCheckFailedData data) =>
        CreateRunFailure(ProductEventTypes.QualityCheckFailed, data);

    /// <summary>A run failed for another reason. Subject: <c>&lt;productId&gt;/&lt;version&gt;/runs/&lt;runId&gt;</c>; id: <c>&lt;runId&gt;/&lt;type&gt;</c>.</summary>
    public static CloudEvent CreatePipelineRunFailed(PipelineRunFailedData data) =>
        CreateRunFailure(ProductEventTypes.PipelineRunFailed, data);

    /// <summary>
    /// A freshness breach. Its id names the product and the release that went stale, so one breach is one event,
    /// however often the check runs.
    /// </summary>
    public static CloudEvent CreateFreshnessBreached(FreshnessBreachedData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        CheckProductId(data.ProductId, data.Domain, data.Name);
        var release = data.LatestRelease is { } r ? $"{data.LatestVersion}/{r}" : "none";
        return Create(data.Domain, data.Name, ProductEventTypes.FreshnessBreached, $"{data.ProductId}/freshness/{release}", $"{data.ProductId}/freshness", data.DetectedAt, data);
    }

    /// <summary>A <c>DataMesh.ReleaseExpired</c> event; its id names the release, so expiring it again is a duplicate.</summary>
    public static CloudEvent CreateReleaseExpired(ReleaseExpiredData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        CheckProductId(data.ProductId, data.Domain, data.Name);
        var subject = ProductEventTypes.Subject(data.ProductId, data.Version, data.Release);
        return Create(data.Domain, data.Name, ProductEventTypes.ReleaseExpired, $"{subject}/expired", subject, data.ExpiredAt, data);
    }

    /// <summary>Subject of a run's failure event: <c>&lt;productId&gt;/&lt;version&gt;/runs/&lt;runId&gt;</c>.</summary>
    public static string RunSubject(string productId, string version, string runId) => $"{productId}/{version}/runs/{runId}";

    private static CloudEvent CreateRunFailure<T>(string type, T data)
        where T : RunFailureData
    {
        ArgumentNullException.ThrowIfNull(data);
        CheckProductId(data.ProductId, data.Domain, data.Name);
        return Create(data.Domain, data.Name, type, $"{data.RunId}/{type}", RunSubject(data.ProductId, data.Version, data.RunId), data.FailedAt, ProductEventBudget.Fit(data));
    }

    private static CloudEvent Create<T>(string domain, string name, string type, string id, string subject, DateTimeOffset time, T data) =>
        new(
            ProductEventTypes.Source(domain, name),
            type,
            BinaryData.FromObjectAsJson(data, ProductEventJson.Options),
            ProductEventJson.ContentType,
            CloudEventDataFormat.Json)
        {
            Id = id,
            Subject = subject,
            Time = time,
        };

    private static void CheckProductId(string productId, string domain, string name)
    {
        if (productId != $"{domain}.{name}")
        {
            throw new ArgumentException($"Product id '{productId}' does not match domain '{domain}' and name '{name}' (expected '{domain}.{name}').");
        }
    }
}
