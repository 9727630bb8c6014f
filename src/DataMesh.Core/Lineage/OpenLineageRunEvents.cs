using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using DataMesh.Pipeline;
using DataMesh.Specs;

namespace DataMesh.Lineage;

/// <summary>
/// Builds the OpenLineage (spec 2-0-2) RunEvents of a pipeline run: one START, then one COMPLETE or FAIL. The job is
/// the data product; its output dataset is the product itself (namespace <see cref="OpenLineageRun.Namespace"/>,
/// name = product id), so a consumer's input and its upstream's output are the same dataset in any lineage tool;
/// landing inputs are the blobs they were read from (<c>wasbs://container@host</c> naming).
/// </summary>
/// <remarks>
/// Built from the run's own data only (no clock, no I/O), so the START an orchestration emits at its start and the
/// one stored with the outcome in the catalog are the same event.
/// </remarks>
public static class OpenLineageRunEvents
{
    /// <summary>The <c>producer</c> of every event and facet: this project.</summary>
    public const string Producer = "https://github.com/datamesh-functions/datamesh-functions";

    /// <summary>The core spec the events follow.</summary>
    public const string SchemaUrl = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent";

    internal const string ColumnLineageFacetUrl = "https://openlineage.io/spec/facets/1-2-0/ColumnLineageDatasetFacet.json#/$defs/ColumnLineageDatasetFacet";
    internal const string SchemaFacetUrl = "https://openlineage.io/spec/facets/1-2-0/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet";
    internal const string QualityAssertionsFacetUrl = "https://openlineage.io/spec/facets/1-1-0/DataQualityAssertionsDatasetFacet.json#/$defs/DataQualityAssertionsDatasetFacet";
    internal const string QualityMetricsFacetUrl = "https://openlineage.io/spec/facets/1-0-3/DataQualityMetricsInputDatasetFacet.json#/$defs/DataQualityMetricsInputDatasetFacet";
    internal const string OutputStatisticsFacetUrl = "https://openlineage.io/spec/facets/1-0-2/OutputStatisticsOutputDatasetFacet.json#/$defs/OutputStatisticsOutputDatasetFacet";
    internal const string ErrorMessageFacetUrl = "https://openlineage.io/spec/facets/1-0-1/ErrorMessageRunFacet.json#/$defs/ErrorMessageRunFacet";
    internal const string DatasetVersionFacetUrl = "https://openlineage.io/spec/facets/1-0-1/DatasetVersionDatasetFacet.json#/$defs/DatasetVersionDatasetFacet";
    internal const string SqlFacetUrl = "https://openlineage.io/spec/facets/1-1-0/SQLJobFacet.json#/$defs/SQLJobFacet";
    internal const string DocumentationFacetUrl = "https://openlineage.io/spec/facets/1-1-0/DocumentationJobFacet.json#/$defs/DocumentationJobFacet";
    internal const string OwnershipFacetUrl = "https://openlineage.io/spec/facets/1-1-0/OwnershipJobFacet.json#/$defs/OwnershipJobFacet";

    /// <summary>Name-based (RFC 9562 version 5) UUIDs of run ids are drawn in this namespace.</summary>
    private static readonly Guid RunIdNamespace = new("3f0c2b5e-6d1a-4f7e-9b8c-2a4d6e8f0a1c");

    /// <summary>
    /// The OpenLineage run id of an orchestration instance id: the id itself when it is a UUID, otherwise a
    /// version-5 UUID of it (deterministic: every emitter of the run agrees on it).
    /// </summary>
    public static Guid RunUuid(string instanceId)
    {
        ArgumentException.ThrowIfNullOrEmpty(instanceId);
        if (Guid.TryParse(instanceId, out var direct))
        {
            return direct;
        }

        Span<byte> name = stackalloc byte[16 + Encoding.UTF8.GetByteCount(instanceId)];
        RunIdNamespace.TryWriteBytes(name[..16], bigEndian: true, out _);
        Encoding.UTF8.GetBytes(instanceId, name[16..]);
        Span<byte> hash = stackalloc byte[SHA1.HashSizeInBytes];
        SHA1.HashData(name, hash);
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50); // version 5
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80); // RFC variant
        return new Guid(hash[..16], bigEndian: true);
    }

    /// <summary>The START event: the job, and the inputs known when the run begins (its landing blobs and upstream products).</summary>
    public static JsonObject Start(OpenLineageRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var inputs = new JsonArray();
        foreach (var blob in run.LandingBlobs)
        {
            inputs.Add(LandingDataset(run, blob, file: null));
        }

        foreach (var port in run.Spec.Inputs.Where(i => !i.IsLanding && i.Product is not null))
        {
            inputs.Add(new JsonObject { ["namespace"] = run.Namespace, ["name"] = port.Product });
        }

        return Event("START", run, run.StartedAt, inputs, [OutputDataset(run, output: null, inputs)], runFacets: null);
    }

    /// <summary>The COMPLETE event of a published run: exact inputs (landing blobs by hash, upstream releases), the output's schema, statistics and quality.</summary>
    public static JsonObject Complete(OpenLineageRun run, DateTimeOffset endedAt, PublishInput publish, PublishResult published)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(publish);
        ArgumentNullException.ThrowIfNull(published);
        var inputs = new JsonArray();
        foreach (var file in publish.Landing)
        {
            inputs.Add(LandingDataset(run, file.Blob.Name, file.Blob));
        }

        foreach (var upstream in publish.Upstream)
        {
            inputs.Add(new JsonObject
            {
                ["namespace"] = run.Namespace,
                ["name"] = upstream.ProductId,
                ["facets"] = new JsonObject { ["version"] = Facet(DatasetVersionFacetUrl, ("datasetVersion", $"{upstream.Version}#{upstream.Release}")) },
            });
        }

        var output = new OutputSummary(publish.Output.Schema, published.Rows, publish.Output.Files.Count, publish.Quality, $"{run.Spec.Version}#{published.Release}");
        return Event("COMPLETE", run, endedAt, inputs, [OutputDataset(run, output, inputs)], runFacets: null);
    }

    /// <summary>The FAIL event of a run that published nothing: why (stage and reason), and the quality results when the gate stopped it.</summary>
    public static JsonObject Fail(OpenLineageRun run, DateTimeOffset endedAt, PipelineResult result, QualitySummary? quality)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(result);
        var inputs = new JsonArray();
        foreach (var blob in run.LandingBlobs)
        {
            inputs.Add(LandingDataset(run, blob, file: null));
        }

        var message = $"{result.Status} at {result.Stage ?? "an unknown stage"}: {result.Error ?? "no reason given"}";
        var runFacets = new JsonObject
        {
            ["errorMessage"] = Facet(ErrorMessageFacetUrl, ("message", message), ("programmingLanguage", "C#")),
        };
        var output = quality is null ? null : new OutputSummary(null, result.Rows, 0, quality, DatasetVersion: null);
        return Event("FAIL", run, endedAt, inputs, [OutputDataset(run, output, inputs)], runFacets);
    }

    private static JsonObject Event(string type, OpenLineageRun run, DateTimeOffset at, JsonArray inputs, JsonNode[] outputs, JsonObject? runFacets)
    {
        var runNode = new JsonObject { ["runId"] = RunUuid(run.RunId).ToString() };
        if (runFacets is not null)
        {
            runNode["facets"] = runFacets;
        }

        return new JsonObject
        {
            ["eventType"] = type,
            ["eventTime"] = at.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            ["producer"] = Producer,
            ["schemaURL"] = SchemaUrl,
            ["run"] = runNode,
            ["job"] = Job(run),
            ["inputs"] = inputs,
            ["outputs"] = new JsonArray(outputs),
        };
    }

    private static JsonObject Job(OpenLineageRun run)
    {
        var facets = new JsonObject { ["sql"] = Facet(SqlFacetUrl, ("query", run.Spec.TransformSql.Trim())) };
        if (!string.IsNullOrWhiteSpace(run.Spec.Description))
        {
            facets["documentation"] = Facet(DocumentationFacetUrl, ("description", run.Spec.Description.Trim()));
        }

        if (run.Spec.Owner is { } owner && (owner.Team is not null ? $"team:{owner.Team}" : owner.Email is not null ? $"user:{owner.Email}" : null) is { } ownerName)
        {
            var ownership = Facet(OwnershipFacetUrl);
            ownership["owners"] = new JsonArray(new JsonObject { ["name"] = ownerName, ["type"] = owner.Team is not null ? "team" : "user" });
            facets["ownership"] = ownership;
        }

        return new JsonObject { ["namespace"] = run.Namespace, ["name"] = run.Spec.Id, ["facets"] = facets };
    }

    private static JsonObject LandingDataset(OpenLineageRun run, string blobName, LandingBlob? file)
    {
        var dataset = new JsonObject { ["namespace"] = run.LandingNamespace, ["name"] = blobName };
        var port = run.Spec.Inputs.FirstOrDefault(i => i.IsLanding && blobName.StartsWith(i.Landing!.Path, StringComparison.Ordinal));
        var facets = new JsonObject();
        if (port is { Columns.Count: > 0 })
        {
            facets["schema"] = SchemaFacet(port.Columns.Select(c => (c.Name, c.Type, (string?)null)));
        }

        if (file is not null)
        {
            facets["version"] = Facet(DatasetVersionFacetUrl, ("datasetVersion", "sha256:" + file.Sha256));
            var metrics = Facet(QualityMetricsFacetUrl);
            metrics["bytes"] = file.Size;
            metrics["fileCount"] = 1;
            metrics["columnMetrics"] = new JsonObject();
            dataset["inputFacets"] = new JsonObject { ["dataQualityMetrics"] = metrics };
        }

        if (facets.Count > 0)
        {
            dataset["facets"] = facets;
        }

        return dataset;
    }

    private static JsonObject OutputDataset(OpenLineageRun run, OutputSummary? output, JsonArray inputs)
    {
        var dataset = new JsonObject { ["namespace"] = run.Namespace, ["name"] = run.Spec.Id };
        var facets = new JsonObject();
        var descriptions = run.Spec.Contract.Schema.SelectMany(s => s.Properties)
            .GroupBy(p => p.Name, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().Description, StringComparer.Ordinal);
        var columns = output?.Schema?.Select(c => (c.Name, c.Type, descriptions.GetValueOrDefault(c.Name)))
            ?? run.Spec.Contract.Schema.SelectMany(s => s.Properties).Select(p => (p.Name, p.PhysicalType ?? p.LogicalType ?? "unknown", p.Description));
        facets["schema"] = SchemaFacet(columns);
        if (output?.Quality is { } quality)
        {
            var assertions = new JsonArray();
            foreach (var rule in quality.Rules)
            {
                var assertion = new JsonObject { ["assertion"] = $"{rule.Metric}: {rule.Name}", ["success"] = rule.Passed };
                if (rule.Property is not null)
                {
                    assertion["column"] = rule.Property;
                }

                assertion["severity"] = rule.Severity == "error" ? "error" : "warn";
                assertions.Add(assertion);
            }

            var facet = Facet(QualityAssertionsFacetUrl);
            facet["assertions"] = assertions;
            facets["dataQualityAssertions"] = facet;
        }

        if (run.ColumnLineage is { } columnLineage && ColumnLineageFacet(run, columnLineage, inputs) is { } lineageFacet)
        {
            facets["columnLineage"] = lineageFacet;
        }

        if (output?.DatasetVersion is { } version)
        {
            facets["version"] = Facet(DatasetVersionFacetUrl, ("datasetVersion", version));
        }

        dataset["facets"] = facets;
        if (output is { Rows: { } rows, DatasetVersion: not null })
        {
            var statistics = Facet(OutputStatisticsFacetUrl);
            statistics["rowCount"] = rows;
            statistics["fileCount"] = output.Files;
            dataset["outputFacets"] = new JsonObject { ["outputStatistics"] = statistics };
        }

        return dataset;
    }

    /// <summary>
    /// The <c>columnLineage</c> facet (1-2-0) of the output: each output column's input fields with their transformations
    /// (masking set where the contract masks the column), and the fields that shape the whole dataset. An upstream
    /// input is the upstream product's dataset; a landing input is each of this event's blobs read through that port
    /// (its landing path when the event names none). Column names only.
    /// </summary>
    private static JsonObject? ColumnLineageFacet(OpenLineageRun run, ColumnLineage lineage, JsonArray inputs)
    {
        var masked = run.Spec.Contract.Schema.SelectMany(s => s.Properties).Where(p => p.Masking is not null).Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var fields = new JsonObject();
        foreach (var output in lineage.Outputs.Where(o => o.Sources.Count > 0))
        {
            fields[output.Name] = new JsonObject { ["inputFields"] = InputFields(run, output.Sources, inputs, masked.Contains(output.Name)) };
        }

        if (fields.Count == 0 && lineage.Dataset.Count == 0)
        {
            return null;
        }

        var facet = Facet(ColumnLineageFacetUrl);
        facet["fields"] = fields;
        if (lineage.Dataset.Count > 0)
        {
            facet["dataset"] = InputFields(run, lineage.Dataset, inputs, masked: false);
        }

        return facet;
    }

    private static JsonArray InputFields(OpenLineageRun run, IEnumerable<ColumnLineageSource> sources, JsonArray inputs, bool masked)
    {
        var fields = new JsonArray();
        foreach (var group in sources.GroupBy(s => (s.Input, s.Column)))
        {
            var port = run.Spec.Inputs.FirstOrDefault(i => string.Equals(i.Name, group.Key.Input, StringComparison.OrdinalIgnoreCase));
            foreach (var (ns, name) in Datasets(run, port, inputs))
            {
                var transformations = new JsonArray();
                foreach (var source in group)
                {
                    transformations.Add(new JsonObject
                    {
                        ["type"] = source.Type,
                        ["subtype"] = source.Subtype,
                        ["masking"] = masked && source.Type == ColumnLineageSource.Direct,
                    });
                }

                fields.Add(new JsonObject { ["namespace"] = ns, ["name"] = name, ["field"] = group.Key.Column, ["transformations"] = transformations });
            }
        }

        return fields;
    }

    private static IEnumerable<(string Namespace, string Name)> Datasets(OpenLineageRun run, InputSpec? port, JsonArray inputs)
    {
        if (port is { Product: { } product })
        {
            return [(run.Namespace, product)];
        }

        if (port is { Landing: { } landing })
        {
            var blobs = inputs.OfType<JsonObject>().Select(i => (string?)i["name"]).OfType<string>()
                .Where(n => n.StartsWith(landing.Path, StringComparison.Ordinal)).Distinct(StringComparer.Ordinal).ToList();
            return blobs.Count > 0 ? blobs.Select(b => (run.LandingNamespace, b)) : [(run.LandingNamespace, landing.Path)];
        }

        return [];
    }

    private static JsonObject SchemaFacet(IEnumerable<(string Name, string Type, string? Description)> columns)
    {
        var fields = new JsonArray();
        var position = 1;
        foreach (var (name, type, description) in columns)
        {
            var field = new JsonObject { ["name"] = name, ["type"] = type, ["ordinal_position"] = position++ };
            if (!string.IsNullOrWhiteSpace(description))
            {
                field["description"] = description.Trim();
            }

            fields.Add(field);
        }

        var facet = Facet(SchemaFacetUrl);
        facet["fields"] = fields;
        return facet;
    }

    private static JsonObject Facet(string schemaUrl, params (string Key, string Value)[] values)
    {
        var facet = new JsonObject { ["_producer"] = Producer, ["_schemaURL"] = schemaUrl };
        foreach (var (key, value) in values)
        {
            facet[key] = value;
        }

        return facet;
    }

    private sealed record OutputSummary(IReadOnlyList<OutputColumn>? Schema, long? Rows, int Files, QualitySummary? Quality, string? DatasetVersion);
}

/// <summary>What every event of one run shares: the run, its product, when it started, where its landing blobs live.</summary>
/// <param name="RunId">The orchestration instance id (see <see cref="OpenLineageRunEvents.RunUuid"/>).</param>
/// <param name="Spec">The product the run builds (the job).</param>
/// <param name="StartedAt">When the orchestration started (the START event's time).</param>
/// <param name="LandingBlobs">The landing blob names the run was triggered with.</param>
/// <param name="Namespace">The job and product-dataset namespace: the mesh (e.g. <c>datamesh</c>).</param>
/// <param name="LandingNamespace">The namespace of the domain's landing container, <c>wasbs://container@host</c>.</param>
public sealed record OpenLineageRun(string RunId, ProductSpec Spec, DateTimeOffset StartedAt, IReadOnlyList<string> LandingBlobs, string Namespace, string LandingNamespace)
{
    /// <summary>The product's column lineage, emitted as the output's <c>columnLineage</c> facet; none when null.</summary>
    public ColumnLineage? ColumnLineage { get; init; }

    /// <summary>The OpenLineage namespace of a blob container: <c>wasbs://{container}@{host}</c>, with the account for path-style (Azurite) URLs.</summary>
    public static string ContainerNamespace(Uri containerUri)
    {
        ArgumentNullException.ThrowIfNull(containerUri);
        var segments = containerUri.AbsolutePath.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        return segments.Length switch
        {
            0 => $"wasbs://{containerUri.Authority}",
            1 => $"wasbs://{segments[0]}@{containerUri.Authority}",
            _ => $"wasbs://{segments[^1]}@{containerUri.Authority}/{string.Join('/', segments[..^1])}",
        };
    }
}
