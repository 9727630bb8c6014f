using System.Text.Json.Nodes;

namespace DataMesh.Catalog;

/// <summary>
/// The OpenAPI 3.0 document of the catalog API, built from <see cref="CatalogHttpApi.Routes"/> (so a route cannot be
/// served without being described) and the schemas below. Built once; both hosts serve the same text.
/// </summary>
internal static class CatalogOpenApi
{
    private static readonly Lazy<string> Built = new(Build);

    internal static string Document => Built.Value;

    private static readonly Dictionary<string, (string Description, JsonNode Schema)> Parameters = new(StringComparer.Ordinal)
    {
        ["id"] = ("Product id, <domain>.<name> (e.g. finance.ledger-emea).", new JsonObject { ["type"] = "string", ["maxLength"] = 200, ["pattern"] = "^[A-Za-z0-9][A-Za-z0-9_-]*\\.[A-Za-z0-9][A-Za-z0-9_.-]*$" }),
        ["version"] = ("Semantic version of the release (e.g. 1.2.0).", new JsonObject { ["type"] = "string", ["maxLength"] = 64 }),
        ["release"] = ("Release number within the version (1, 2, 3...).", new JsonObject { ["type"] = "integer", ["minimum"] = 1 }),
        ["q"] = ("Text contained (ignoring case) in the product id, description, a tag, or the owner's team or email.", new JsonObject { ["type"] = "string", ["maxLength"] = 200 }),
        ["domain"] = ("The product's domain.", new JsonObject { ["type"] = "string", ["pattern"] = "^[a-z0-9][a-z0-9-]{0,62}$" }),
        ["tag"] = ("A tag of the product (exact, ignoring case).", new JsonObject { ["type"] = "string", ["maxLength"] = 200 }),
        ["owner"] = ("The owner's team or email (exact, ignoring case).", new JsonObject { ["type"] = "string", ["maxLength"] = 200 }),
        ["classification"] = ("A classification of at least one contract column (e.g. pii).", new JsonObject { ["type"] = "string", ["pattern"] = "^[A-Za-z0-9_-]{1,64}$" }),
        ["pageSize"] = ("Products per page.", new JsonObject { ["type"] = "integer", ["minimum"] = 1, ["maximum"] = CatalogSearch.MaxPageSize, ["default"] = CatalogSearch.DefaultPageSize }),
        ["continuationToken"] = ("The continuationToken of the previous page, unchanged (opaque).", new JsonObject { ["type"] = "string", ["maxLength"] = CatalogPageToken.MaxLength }),
        ["limit"] = ("Most items returned (runs: at most 200; rows: at most 1000).", new JsonObject { ["type"] = "integer", ["minimum"] = 1, ["maximum"] = Consumption.ReleaseReader.MaxPageSize }),
        ["direction"] = ("Which side of the product to walk.", new JsonObject { ["type"] = "string", ["enum"] = new JsonArray("upstream", "downstream", "both"), ["default"] = "both" }),
        ["offset"] = ("Rows to skip (file order).", new JsonObject { ["type"] = "integer", ["minimum"] = 0, ["default"] = 0 }),
        ["path"] = ("A data file of the release snapshot: its manifest path for a file the release wrote (e.g. part-00000.parquet), VERSION/RELEASE/PATH for one it references from an earlier release (e.g. 1.0.0/2/part-00000.parquet).", new JsonObject { ["type"] = "string", ["maxLength"] = 400 }),
        ["depth"] = ("Hops to walk.", new JsonObject { ["type"] = "integer", ["minimum"] = 1, ["maximum"] = CatalogHttpApi.MaxLineageDepth, ["default"] = 1 }),
    };

    private static string Build()
    {
        var paths = new JsonObject();
        foreach (var route in CatalogHttpApi.Routes)
        {
            var parameters = new JsonArray();
            foreach (var name in route.Segments.Where(s => s.StartsWith('{')).Select(s => s[1..^1]))
            {
                parameters.Add(Parameter(name, "path", required: true));
            }

            foreach (var name in route.QueryParameters)
            {
                parameters.Add(Parameter(name, "query", required: false));
            }

            var responses = new JsonObject
            {
                ["200"] = route.ResponseSchema switch
                {
                    "OpenApiDocument" => Response("OK", new JsonObject { ["type"] = "object" }),
                    "ParquetFile" => Response("The Parquet file.", new JsonObject { ["type"] = "string", ["format"] = "binary" }, "application/vnd.apache.parquet"),
                    _ => Response("OK", Ref(route.ResponseSchema)),
                },
                ["400"] = Response("A parameter, the path or the query string was refused.", Ref("Problem"), "application/problem+json"),
            };
            if (route.OperationId is "ListReleases" or "GetRelease" or "ListRuns" or "GetQualityHistory")
            {
                responses["401"] = Response("Where the host serves data beyond loopback (the Functions apps): the caller sent no valid bearer token for the mesh API.", Ref("Problem"), "application/problem+json");
                responses["403"] = Response("The product's history (failed-row samples, error texts) comes from its data: its access (visibility, readers) does not let the caller read it.", Ref("Problem"), "application/problem+json");
            }

            if (route.OperationId is "GetReaders")
            {
                responses["401"] = Response("Where the host requires it (the Functions apps): the caller sent no valid bearer token for the mesh API (a domain app sends its managed identity's).", Ref("Problem"), "application/problem+json");
            }

            if (route.OperationId is "GetReleaseRows" or "GetReleaseFile")
            {
                responses["401"] = Response("Where the host serves data beyond loopback (the Functions apps): the caller sent no valid bearer token for the mesh API.", Ref("Problem"), "application/problem+json");
                responses["403"] = Response("The product's access (visibility, readers) does not let the caller read its data.", Ref("Problem"), "application/problem+json");
                responses["410"] = Response("The release fell outside its product's output.retention (problem type release-expired; the detail names the rule): read a retained release.", Ref("Problem"), "application/problem+json");
                responses["307"] = new JsonObject
                {
                    ["description"] = "A catalog that does not hold the data (the mesh hub) sends the same request to the domain app that does (the release's dataEndpoint); send your bearer token there again.",
                    ["headers"] = new JsonObject { ["Location"] = new JsonObject { ["schema"] = Type("string") } },
                };
            }

            if (route.Segments.Contains("{id}"))
            {
                responses["404"] = Response("The product (or release) is not in the catalog.", Ref("Problem"), "application/problem+json");
            }

            var path = new JsonObject
            {
                ["get"] = new JsonObject
                {
                    ["operationId"] = route.OperationId,
                    ["summary"] = route.Summary,
                    ["parameters"] = parameters,
                    ["responses"] = responses,
                },
            };
            if (route.OperationId is "GetReleaseFile")
            {
                DescribeFileDownload(path);
            }

            paths[$"{CatalogHttpApi.BasePath}/{route.Template}"] = path;
        }

        paths[$"{CatalogHttpApi.BasePath}/{ProductRegistrationIntake.Route}"] = RegistrationPath();

        var document = new JsonObject
        {
            ["openapi"] = "3.0.3",
            ["info"] = new JsonObject
            {
                ["title"] = "DataMesh catalog API",
                ["version"] = "1.0.0",
                ["description"] = "Discovery of the mesh's data products: search, contracts, releases, runs, lineage and quality, read-only; and, on the mesh hub, the registrations domain apps send at start-up.",
            },
            ["paths"] = paths,
            ["components"] = new JsonObject { ["schemas"] = Schemas() },
        };
        return document.ToJsonString();
    }

    /// <summary>
    /// <c>POST registrations</c> (<see cref="ProductRegistrationIntake"/>): not one of <see cref="CatalogHttpApi.Routes"/>
    /// (those are the GETs both hosts route), served by the hub's Functions app only.
    /// </summary>
    private static JsonObject RegistrationPath() => new()
    {
        ["post"] = new JsonObject
        {
            ["operationId"] = "RegisterProducts",
            ["summary"] = "A domain app's product registrations, sent at its start-up (mesh hub only): recorded where newer than the one held; with complete, the token's domain's products they do not name are withdrawn. The domain is the bearer token's app role (DataMesh.Domain.<domain>), never the body's.",
            ["requestBody"] = new JsonObject
            {
                ["required"] = true,
                ["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = Ref("RegistrationBody") } },
            },
            ["responses"] = new JsonObject
            {
                ["200"] = Response("Recorded (or already held by a newer registration).", Ref("RegistrationAnswer")),
                ["400"] = Response("The body, a registration (a read of an undeclared input), or a complete set (one domain role, each registration stamped) was refused; nothing was recorded.", Ref("Problem"), "application/problem+json"),
                ["401"] = Response("No valid bearer token for the mesh API.", Ref("Problem"), "application/problem+json"),
                ["403"] = Response("The token carries no domain role, or a registration is of a product of another domain; nothing was recorded.", Ref("Problem"), "application/problem+json"),
                ["404"] = Response("Sent to a domain app: registrations go to the mesh hub.", Ref("Problem"), "application/problem+json"),
                ["413"] = Response($"The body is larger than {ProductRegistrationIntake.MaxBodyBytes} bytes.", Ref("Problem"), "application/problem+json"),
            },
        },
    };

    /// <summary>A file download's ranges and conditions, its headers, and HEAD (how HTTP Parquet readers learn the size).</summary>
    private static void DescribeFileDownload(JsonObject path)
    {
        var get = path["get"]!.AsObject();
        var parameters = get["parameters"]!.AsArray();
        parameters.Add(Header("Range", "One byte range, e.g. bytes=0-1023, bytes=4096- or bytes=-65536 (the last 64 KiB); several ranges are ignored (200, the whole file)."));
        parameters.Add(Header("If-Range", "The ETag the range was computed against; when it is not the file's, the whole file is sent."));
        parameters.Add(Header("If-None-Match", "ETags the caller holds; when one is the file's, 304 without a body."));
        var headers = new JsonObject
        {
            ["ETag"] = HeaderSchema("The SHA-256 of the file that the release's manifest records, quoted."),
            ["Accept-Ranges"] = HeaderSchema("bytes"),
            ["Content-Disposition"] = HeaderSchema("attachment with the file's name."),
        };
        var responses = get["responses"]!.AsObject();
        responses["200"]!["headers"] = headers.DeepClone();
        var partial = Response("The byte range asked for.", new JsonObject { ["type"] = "string", ["format"] = "binary" }, "application/vnd.apache.parquet");
        partial["headers"] = headers.DeepClone();
        partial["headers"]!["Content-Range"] = HeaderSchema("bytes FIRST-LAST/SIZE");
        responses["206"] = partial;
        responses["304"] = new JsonObject { ["description"] = "If-None-Match names the file's ETag." };
        var unsatisfiable = Response("The range starts past the end of the file.", Ref("Problem"), "application/problem+json");
        unsatisfiable["headers"] = new JsonObject { ["Content-Range"] = HeaderSchema("bytes */SIZE") };
        responses["416"] = unsatisfiable;
        var head = get.DeepClone().AsObject();
        head["operationId"] = "HeadReleaseFile";
        head["summary"] = "A release file's length, ETag and ranges, without its bytes.";
        path["head"] = head;
    }

    private static JsonObject Header(string name, string description) => new()
    {
        ["name"] = name,
        ["in"] = "header",
        ["required"] = false,
        ["description"] = description,
        ["schema"] = new JsonObject { ["type"] = "string" },
    };

    private static JsonObject HeaderSchema(string description) => new() { ["description"] = description, ["schema"] = new JsonObject { ["type"] = "string" } };

    private static JsonObject Parameter(string name, string location, bool required)
    {
        var (description, schema) = Parameters.TryGetValue(name, out var known)
            ? known
            : throw new InvalidOperationException($"Parameter '{name}' of the catalog API has no description in the OpenAPI document.");
        return new JsonObject
        {
            ["name"] = name,
            ["in"] = location,
            ["required"] = required,
            ["description"] = description,
            ["schema"] = schema.DeepClone(),
        };
    }

    private static JsonObject Response(string description, JsonNode schema, string contentType = "application/json") => new()
    {
        ["description"] = description,
        ["content"] = new JsonObject { [contentType] = new JsonObject { ["schema"] = schema } },
    };

    private static JsonObject Ref(string schema) => new() { ["$ref"] = $"#/components/schemas/{schema}" };

    private static JsonObject ArrayOf(JsonNode items) => new() { ["type"] = "array", ["items"] = items };

    private static JsonObject Object(params (string Name, JsonNode Schema)[] properties)
    {
        var props = new JsonObject();
        foreach (var (name, schema) in properties)
        {
            props[name] = schema;
        }

        return new JsonObject { ["type"] = "object", ["properties"] = props };
    }

    private static JsonObject Described(JsonObject schema, string description)
    {
        schema["description"] = description;
        return schema;
    }

    /// <summary>A nullable reference: OpenAPI 3.0 ignores siblings of <c>$ref</c>, so the reference is wrapped in <c>allOf</c>.</summary>
    private static JsonObject Nullable(JsonObject reference) => new() { ["allOf"] = new JsonArray(reference), ["nullable"] = true };

    private static JsonObject Type(string type, bool nullable = false, string? format = null)
    {
        var schema = new JsonObject { ["type"] = type };
        if (format is not null)
        {
            schema["format"] = format;
        }

        if (nullable)
        {
            schema["nullable"] = true;
        }

        return schema;
    }

    private static JsonObject Schemas() => new()
    {
        ["Problem"] = Object(
            ("type", Type("string")), ("title", Type("string")), ("status", Type("integer")), ("detail", Type("string")),
            ("instance", Type("string")), ("error", Type("string")), ("productId", Type("string"))),
        ["Column"] = Object(
            ("object", Type("string")), ("name", Type("string")), ("logicalType", Type("string", true)), ("physicalType", Type("string", true)),
            ("required", Type("boolean")), ("unique", Type("boolean")), ("primaryKey", Type("boolean")),
            ("classification", Type("string", true)), ("masking", Type("string", true)), ("description", Type("string", true))),
        ["Product"] = Object(
            ("productId", Type("string")), ("domain", Type("string")), ("name", Type("string")), ("declaredVersion", Type("string", true)),
            ("description", Type("string", true)), ("ownerTeam", Type("string", true)), ("ownerEmail", Type("string", true)),
            ("tags", ArrayOf(Type("string"))), ("visibility", Type("string", true)), ("registeredAt", Type("string", true, "date-time")),
            ("latestVersion", Type("string", true)), ("latestRelease", Type("integer", true)), ("latestRunId", Type("string", true)),
            ("rows", Type("integer", true, "int64")), ("location", Type("string", true)), ("schemaHash", Type("string", true)),
            ("publishedAt", Type("string", true, "date-time")), ("updatedAt", Type("string", true, "date-time")),
            ("freshness", Type("string", true)), ("staleSince", Type("string", true, "date-time")),
            ("columns", ArrayOf(Ref("Column"))), ("columnsOmitted", Type("integer")), ("classifications", ArrayOf(Type("string"))),
            ("inputs", ArrayOf(Type("string"))),
            ("withdrawn", Described(Type("boolean"), "Its domain's newest complete registration no longer declares it: it reads nothing (its releases stay)."))),
        ["ProductPage"] = Object(("items", ArrayOf(Ref("Product"))), ("continuationToken", Type("string", true)), ("pageSize", Type("integer"))),
        ["QualityRule"] = Object(
            ("name", Type("string")), ("property", Type("string", true)), ("metric", Type("string")), ("severity", Type("string")),
            ("measured", Type("number")), ("unit", Type("string")), ("expectation", Type("string")), ("passed", Type("boolean")),
            ("failedRows", Type("integer", format: "int64"))),
        ["InputReport"] = Object(
            ("name", Type("string")), ("files", Type("integer")), ("autoDetected", Type("boolean")), ("read", Type("string", true)),
            ("drift", ArrayOf(Object(
                ("column", Type("string")), ("kind", Described(Type("string"), "missing-column, unexpected-column, uncastable, or a reader error kind.")),
                ("count", Type("integer", format: "int64")), ("sampleLines", ArrayOf(Type("integer", format: "int64"))), ("detail", Type("string")), ("blocking", Type("boolean")),
                ("detectedType", Described(Type("string", true), "For an unexpected-column: the type the column was read with, as DuckDB detected it.")))))),
        ["Quality"] = Object(("passed", Type("boolean")), ("rows", Type("integer", format: "int64")), ("rules", ArrayOf(Ref("QualityRule")))),
        ["Release"] = Object(
            ("productId", Type("string")), ("version", Type("string")), ("release", Type("integer")), ("runId", Type("string")),
            ("location", Type("string")), ("rows", Described(Type("integer", format: "int64"), "Rows of the release's whole snapshot (the product's table at this release).")),
            ("changes", Described(Nullable(Ref("ReleaseChanges")), "What the release changed; null for releases announced before output modes.")),
            ("schemaHash", Type("string")),
            ("qualityPassed", Type("boolean")), ("quality", Ref("Quality")), ("qualityRulesOmitted", Type("integer")),
            ("upstream", ArrayOf(Object(("productId", Type("string")), ("version", Type("string")), ("release", Type("integer"))))),
            ("upstreamOmitted", Type("integer")), ("landing", ArrayOf(Type("object"))), ("landingOmitted", Type("integer")),
            ("inputs", Described(ArrayOf(Ref("InputReport")), "How the run read each input: declared or auto-detected schema, and its drift.")), ("inputsOmitted", Type("integer")),
            ("publishedAt", Type("string", format: "date-time")), ("dataEndpoint", Type("string", true))),
        ["ReleaseChanges"] = Object(
            ("mode", new JsonObject { ["type"] = "string", ["enum"] = new JsonArray("replace", "append", "merge", "partitions") }),
            ("basedOn", Described(Type("integer", true), "The release this one was built on (same version unless basedOnVersion says otherwise); null in replace mode and for the first of a chain.")),
            ("basedOnVersion", Type("string", true)),
            ("rowsAdded", Type("integer", format: "int64")), ("rowsReplaced", Type("integer", format: "int64")), ("rowsRemoved", Type("integer", format: "int64")),
            ("partitions", Described(ArrayOf(Type("string")), $"Partitions the release wrote, as Hive folder names (e.g. day=2026-11-02); at most {Events.ReleaseChangeSummary.MaxPartitions}, the manifest lists them all.")),
            ("partitionsOmitted", Described(Type("integer"), "Partitions written but not listed: the release wrote partitions.length + partitionsOmitted.")),
            ("filesWritten", Type("integer")), ("filesReferenced", Described(Type("integer"), "Data files referenced from earlier releases, unchanged (not copied)."))),
        ["ReleaseList"] = Object(("productId", Type("string")), ("items", ArrayOf(Ref("Release"))), ("continuationToken", Type("string", true))),
        ["Run"] = Object(
            ("productId", Type("string")), ("runId", Type("string")), ("status", new JsonObject { ["type"] = "string", ["enum"] = new JsonArray(CatalogRunStatus.Published, CatalogRunStatus.QualityFailed, CatalogRunStatus.Failed, CatalogRunStatus.Cancelled) }),
            ("stage", Type("string", true)), ("error", Type("string", true)), ("version", Type("string")), ("release", Type("integer", true)),
            ("quarantined", ArrayOf(Type("string"))), ("quality", Ref("Quality")),
            ("inputs", Described(ArrayOf(Ref("InputReport")), "How the run read each input: declared or auto-detected schema, and its drift.")), ("inputsOmitted", Type("integer")),
            ("at", Type("string", format: "date-time"))),
        ["RunList"] = Object(("productId", Type("string")), ("items", ArrayOf(Ref("Run"))), ("continuationToken", Type("string", true))),
        ["ProductDetail"] = Object(
            ("product", Ref("Product")),
            ("freshness", new JsonObject { ["type"] = "string", ["enum"] = new JsonArray("fresh", "stale", "no-sla") }),
            ("owner", Object(("team", Type("string", true)), ("email", Type("string", true)))),
            ("sla", Object(("freshness", Type("string", true)), ("status", Type("string")), ("newestDataAt", Type("string", true, "date-time")), ("staleSince", Type("string", true, "date-time")))),
            ("contract", Object(("columns", ArrayOf(Ref("Column"))), ("columnsOmitted", Type("integer")), ("classifications", ArrayOf(Type("string"))))),
            ("latestRelease", Ref("Release")),
            ("releases", ArrayOf(Ref("Release"))),
            ("runs", ArrayOf(Ref("Run"))),
            ("moreReleases", Type("boolean")),
            ("moreRuns", Type("boolean")),
            ("historyWithheld", Type("string", true))),
        ["Lineage"] = Object(
            ("productId", Type("string")), ("direction", Type("string")), ("depth", Type("integer")),
            ("nodes", ArrayOf(Object(("productId", Type("string")), ("hops", Type("integer")), ("direction", Type("string"))))),
            ("edges", ArrayOf(Object(("upstream", Type("string")), ("downstream", Type("string")), ("declared", Type("boolean")), ("observed", Type("boolean")), ("versions", Type("string", nullable: true)), ("status", Type("string", nullable: true)), ("upstreamVersion", Type("string", nullable: true))))),
            ("columns", ArrayOf(Ref("ColumnLineage"))),
            ("columnNotes", ArrayOf(Type("string")))),
        ["ColumnLineage"] = Object(
            ("column", Type("string")),
            ("sources", ArrayOf(Object(("input", Type("string")), ("column", Type("string")), ("type", Type("string")), ("subtype", Type("string")), ("product", Type("string", true))))),
            ("readers", ArrayOf(Object(
                ("productId", Type("string")), ("input", Type("string")), ("outputs", ArrayOf(Type("string"))),
                ("hop", Described(Type("integer"), "1: reads the product's column; 2: reads a column a hop-1 reader computes from it; and so on.")),
                ("versions", Described(Type("string", true), "The range the reader's input accepts.")),
                ("through", Described(Type("string", true), "The product whose column it reads directly.")),
                ("throughColumn", Type("string", true)),
                ("at", Described(Type("string", true), "Where the reader's SQL reads the column: pipelines/<domain>/<product>/<file>:line:column.")))))),
        ["Readers"] = Object(
            ("productId", Type("string")), ("depth", Type("integer")),
            ("columns", ArrayOf(Ref("ColumnLineage"))),
            ("notes", ArrayOf(Type("string")))),
        ["QualityRun"] = Object(
            ("productId", Type("string")), ("runId", Type("string")), ("status", Type("string")), ("version", Type("string")),
            ("release", Type("integer", true)), ("at", Type("string", format: "date-time")), ("passed", Type("boolean")),
            ("rows", Type("integer", format: "int64")), ("rules", ArrayOf(Ref("QualityRule")))),
        ["ReleaseRows"] = Object(
            ("productId", Type("string")), ("version", Type("string")), ("release", Type("integer")),
            ("columns", ArrayOf(Object(("name", Type("string")), ("type", Type("string"))))),
            ("offset", Type("integer", format: "int64")), ("limit", Type("integer")), ("total", Type("integer", format: "int64")),
            ("nextOffset", Type("integer", true, "int64")), ("rows", ArrayOf(new JsonObject { ["type"] = "object" }))),
        ["QuarantineList"] = Object(("productId", Type("string")),
            ("source", Described(Type("string"), "domain: read from the domain's quarantine container; catalog: from the failure announcements (no size; replayability as the domain announced it).")),
            ("items", ArrayOf(Object(
            ("file", Type("string")), ("landingName", Type("string", true)), ("quarantinedAt", Type("string", true, "date-time")),
            ("stage", Type("string", true)), ("reason", Described(Type("string", true), "Why the run stopped, with values of classified columns redacted.")),
            ("runId", Type("string", true)), ("version", Type("string", true)), ("size", Type("integer", true, "int64")),
            ("failedRules", ArrayOf(Type("string"))),
            ("replayable", Described(Type("boolean", true), "Whether the file can be moved back to landing and run as it is; null when unknown (an announcement of an older version).")),
            ("notReplayable", Described(Type("string", true), "Why it cannot be replayed (the kind of problem, never a value); null when it can or unknown.")),
            ("keptInLanding", Described(Type("boolean", true), "True when the file itself stayed in the domain's landing container under its original name (a name with '.'/'..' segments, which cannot be moved) and only its record was quarantined; null when unknown (an announcement of an older version).")))))),
        ["QualityHistory"] = Object(("productId", Type("string")), ("items", ArrayOf(Ref("QualityRun")))),
        ["Registration"] = Object(
            ("domain", Type("string")), ("name", Type("string")), ("version", Type("string")), ("description", Type("string")),
            ("ownerTeam", Type("string")), ("ownerEmail", Type("string")), ("tags", ArrayOf(Type("string"))), ("visibility", Type("string")),
            ("freshness", Type("string", true)), ("columns", ArrayOf(Ref("Column"))), ("readers", ArrayOf(Type("string"))),
            ("inputs", ArrayOf(Type("string"))),
            ("inputVersions", Described(new JsonObject { ["type"] = "object", ["additionalProperties"] = Type("string") }, "The range each declared product input accepts, by product id.")),
            ("columnLineage", Described(new JsonObject { ["type"] = "object", ["nullable"] = true }, "Column names only: each output column's sources and the columns read of each input.")),
            ("columnLineageOmitted", Type("boolean")),
            ("declaredAt", Described(Type("string", true, "date-time"), "When the domain app read the spec: the hub keeps a product's newest declaration only."))),
        ["RegistrationBody"] = Object(
            ("registrations", Described(ArrayOf(Ref("Registration")), $"1 to {ProductRegistrationIntake.MaxRegistrations} registrations, each of the token's domain.")),
            ("complete", Described(Type("boolean"), "True when they are every product of the token's (single) domain: the others' registrations are withdrawn."))),
        ["RegistrationAnswer"] = Object(
            ("registered", ArrayOf(Type("string"))),
            ("withdrawn", Described(ArrayOf(Type("string")), "With complete: the products whose registrations were withdrawn now."))),
    };
}
