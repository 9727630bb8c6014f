using System.Globalization;
using System.Reflection.PortableExecutable;
using System.Text.Json;
using DataMesh.Pipeline;
using Microsoft.DurableTask;
using Xunit.Abstractions;

namespace DataMesh.Functions.Tests.Publish;

/// <summary>What the Functions host will read from the deployment package: function bindings, extensions, host.json, products.</summary>
public sealed class PublishOutputTests(PublishOutputFixture publish, ITestOutputHelper output) : IClassFixture<PublishOutputFixture>
{
    public static TheoryData<string> CoreActivities =>
        [.. typeof(DataProductPipeline).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(ITaskActivity).IsAssignableFrom(t))
            .Select(t => t.Name)
            .Order(StringComparer.Ordinal)];

    [Fact]
    public void FunctionsMetadata_PipelineTrigger_IsQueueTriggerOnPipelineTriggersWithDurableClient()
    {
        // Act
        var bindings = Bindings("PipelineTrigger");

        // Assert
        var trigger = Assert.Single(bindings, b => Text(b, "type") == "queueTrigger");
        Assert.Equal("pipeline-triggers", Text(trigger, "queueName"));
        Assert.Equal("AzureWebJobsStorage", Text(trigger, "connection"));
        Assert.Equal("In", Text(trigger, "direction"));
        Assert.Contains(bindings, b => Text(b, "type") == "durableClient");
    }

    [Fact]
    public void FunctionsMetadata_CatalogProjection_IsQueueTriggerOnCatalogEvents()
    {
        // Act
        var trigger = Assert.Single(Bindings("CatalogProjection"), b => Text(b, "type") == "queueTrigger");

        // Assert
        Assert.Equal("catalog-events", Text(trigger, "queueName"));
        Assert.Equal("AzureWebJobsStorage", Text(trigger, "connection"));
    }

    [Fact]
    public void FunctionsMetadata_RunProduct_IsHttpPostOnProductRunsWithDurableClient()
    {
        // Act
        var bindings = Bindings("RunProduct");

        // Assert
        var trigger = Assert.Single(bindings, b => Text(b, "type") == "httpTrigger");
        Assert.Equal("products/{id}/runs", Text(trigger, "route"));
        Assert.Contains(bindings, b => Text(b, "type") == "durableClient");
    }

    [Fact]
    public void FunctionsMetadata_FreshnessTimer_IsTimerTriggerEveryFiveMinutes()
    {
        // Act
        var trigger = Assert.Single(Bindings("FreshnessTimer"), b => Text(b, "type") == "timerTrigger");

        // Assert
        Assert.Equal("0 */5 * * * *", Text(trigger, "schedule"));
    }

    [Fact]
    public void FunctionsMetadata_DataProductPipeline_IsOrchestrationTrigger()
    {
        // Act
        var bindings = Bindings(nameof(DataProductPipeline));

        // Assert
        Assert.Equal("orchestrationTrigger", Text(Assert.Single(bindings), "type"));
    }

    [Theory]
    [InlineData(nameof(ResolveInputsActivity))]
    [InlineData(nameof(IngestActivity))]
    [InlineData(nameof(TransformActivity))]
    [InlineData(nameof(QualityCheckActivity))]
    [InlineData(nameof(PublishActivity))]
    [InlineData(nameof(QuarantineActivity))]
    [InlineData(nameof(ArchiveActivity))]
    [InlineData(nameof(AnnounceActivity))]
    public void FunctionsMetadata_PipelineStage_IsActivityTrigger(string activity)
    {
        // Act
        var bindings = Bindings(activity);

        // Assert
        Assert.Equal("activityTrigger", Text(Assert.Single(bindings), "type"));
    }

    [Theory]
    [MemberData(nameof(CoreActivities))]
    public void FunctionsMetadata_EveryCoreActivity_HasAnActivityFunction(string activity)
    {
        // Act
        var functions = Functions();

        // Assert: an activity the orchestrator calls without a function of its name would fail every run.
        Assert.True(functions.ContainsKey(activity), $"No function named {activity}: add a wrapper to PipelineActivityFunctions.");
        Assert.Contains(functions[activity], b => Text(b, "type") == "activityTrigger");
    }

    [Theory]
    [InlineData("ListProducts", "products")]
    [InlineData("GetProduct", "products/{id}")]
    public void FunctionsMetadata_CatalogApi_IsHttpGetOnItsRoute(string function, string route)
    {
        // Act
        var bindings = Bindings(function);

        // Assert
        var trigger = Assert.Single(bindings, b => Text(b, "type") == "httpTrigger");
        Assert.Equal(route, Text(trigger, "route"));
        Assert.Equal(["get"], trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()));
        Assert.Contains(bindings, b => Text(b, "type") == "http" && Text(b, "direction") == "Out");
    }

    [Fact]
    public void FunctionsMetadata_HttpFunctions_CatalogAndDataRoutesAnonymousForBearerTokensOperatorRoutesKeepTheirKeys()
    {
        // Arrange: App Service authentication validates tokens in front of the data routes and the product's access
        // decides; a function key there would be a second secret per app that a redirect to another app cannot carry.
        // The readers route likewise: domain apps' publish gates call it with their managed identity, holding no hub key;
        // and the registrations route, which domain apps call at start-up (the domain is the token's role).
        // The catalog routes answer signed-in people (the web catalog's bearer token, docs/design-notes/catalog-sign-in.md):
        // a key in the page would sit in every browser's history.
        var anonymous = new[]
        {
            "GetReleaseRows", "GetReleaseFile", "ListQuarantine", "GetOpenApiDocument", "CatalogWeb", "GetReaders", "RegisterProducts",
            "ListProducts", "GetProduct", "ListReleases", "GetRelease", "ListRuns", "GetLineage", "GetQualityHistory",
        };

        // Act
        var levels = Functions()
            .Select(f => (Name: f.Key, Trigger: f.Value.SingleOrDefault(b => Text(b, "type") == "httpTrigger")))
            .Where(f => f.Trigger.ValueKind == JsonValueKind.Object)
            .ToDictionary(f => f.Name, f => Text(f.Trigger, "authLevel"), StringComparer.Ordinal);

        // Assert
        Assert.All(anonymous, name => Assert.Equal("Anonymous", levels[name], StringComparer.OrdinalIgnoreCase));
        Assert.All(levels.Where(l => !anonymous.Contains(l.Key)), l => Assert.True(
            string.Equals(l.Value, "Function", StringComparison.OrdinalIgnoreCase), $"{l.Key} is {l.Value}"));
    }

    [Fact]
    public void FunctionsMetadata_EveryFunction_RunsFromTheAppAssembly()
    {
        // Act
        using var document = JsonDocument.Parse(File.ReadAllText(publish.PathOf("functions.metadata")));

        // Assert
        Assert.All(document.RootElement.EnumerateArray(), f => Assert.Equal("DataMesh.Functions.dll", Text(f, "scriptFile")));
        Assert.True(File.Exists(publish.PathOf("DataMesh.Functions.dll")));
        Assert.True(File.Exists(publish.PathOf("worker.config.json")));
        output.WriteLine($"dotnet publish took {publish.Elapsed.TotalSeconds:F1} s");
    }

    [Fact]
    public void FunctionsMetadata_Functions_AreExactlyTheAppsFunctionsWithTheirTriggers()
    {
        // Arrange: every function of the app and its trigger binding; a function added or renamed must be named here.
        var expected = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["PipelineTrigger"] = "queueTrigger",
            [nameof(DataProductPipeline)] = "orchestrationTrigger",
            [nameof(ResolveInputsActivity)] = "activityTrigger",
            [nameof(IngestActivity)] = "activityTrigger",
            [nameof(TransformActivity)] = "activityTrigger",
            [nameof(QualityCheckActivity)] = "activityTrigger",
            [nameof(PublishActivity)] = "activityTrigger",
            [nameof(QuarantineActivity)] = "activityTrigger",
            [nameof(ArchiveActivity)] = "activityTrigger",
            [nameof(AnnounceActivity)] = "activityTrigger",
            [nameof(CleanUpActivity)] = "activityTrigger",
            [nameof(SettleRunActivity)] = "activityTrigger",
            ["RunProduct"] = "httpTrigger",
            ["Backfill"] = "httpTrigger",
            ["CancelRun"] = "httpTrigger",
            ["ListQuarantine"] = "httpTrigger",
            ["ShowQuarantined"] = "httpTrigger",
            ["ReplayQuarantined"] = "httpTrigger",
            ["CatalogProjection"] = "queueTrigger",
            ["ListProducts"] = "httpTrigger",
            ["GetProduct"] = "httpTrigger",
            ["ListReleases"] = "httpTrigger",
            ["GetRelease"] = "httpTrigger",
            ["ListRuns"] = "httpTrigger",
            ["GetLineage"] = "httpTrigger",
            ["GetReaders"] = "httpTrigger",
            ["RegisterProducts"] = "httpTrigger",
            ["GetQualityHistory"] = "httpTrigger",
            ["GetOpenApiDocument"] = "httpTrigger",
            ["GetReleaseRows"] = "httpTrigger",
            ["GetReleaseFile"] = "httpTrigger",
            ["FreshnessTimer"] = "timerTrigger",
            ["OutboxRelayTimer"] = "timerTrigger",
            ["ReleaseMaintenanceTimer"] = "timerTrigger",
            ["StuckRunTimer"] = "timerTrigger",
            [nameof(StuckRunFailure)] = "orchestrationTrigger",
            ["CatalogWeb"] = "httpTrigger",
        };

        // Act
        var functions = Functions();

        // Assert
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), functions.Keys.Order(StringComparer.Ordinal));
        Assert.All(expected, e => Assert.Equal([e.Value], functions[e.Key].Where(b => Text(b, "type").EndsWith("Trigger", StringComparison.Ordinal)).Select(b => Text(b, "type"))));
    }

    [Fact]
    public void FunctionModes_InfraLists_NameEveryPublishedFunctionInExactlyOneMode()
    {
        // Arrange: infra/function-modes.json is what the Bicep disables per mode (AzureWebJobs.<name>.Disabled).
        using var modes = JsonDocument.Parse(File.ReadAllText(RepositoryRoot.Combine("infra", "function-modes.json")));
        var domain = modes.RootElement.GetProperty("domain").EnumerateArray().Select(n => n.GetString()!).ToList();
        var hub = modes.RootElement.GetProperty("hub").EnumerateArray().Select(n => n.GetString()!).ToList();
        var both = modes.RootElement.GetProperty("both").EnumerateArray().Select(n => n.GetString()!).ToList();

        // Act
        var functions = Functions();

        // Assert: every function in exactly one list ('both' on purpose, never by omission); a name not published
        // would disable nothing.
        Assert.Empty(domain.Intersect(hub, StringComparer.Ordinal));
        Assert.Empty(both.Intersect(domain.Concat(hub), StringComparer.Ordinal));
        Assert.Equal(functions.Keys.Order(StringComparer.Ordinal), domain.Concat(hub).Concat(both).Order(StringComparer.Ordinal));
        // The data routes run in both apps: a domain app serves its releases, the hub redirects to it.
        Assert.Equal(["GetReleaseFile", "GetReleaseRows"], both.Order(StringComparer.Ordinal));
        // What runs where (DESIGN §7): the pipeline in the domain app, the catalog and freshness in the hub app.
        Assert.Contains("PipelineTrigger", domain);
        Assert.Contains(nameof(DataProductPipeline), domain);
        Assert.All(functions.Where(f => f.Value.Any(b => Text(b, "type") is "activityTrigger" or "orchestrationTrigger" or "durableClient")), f => Assert.Contains(f.Key, domain));
        Assert.Contains("CatalogProjection", hub);
        Assert.Contains("FreshnessTimer", hub);
    }

    [Theory]
    [InlineData("DurableTask", "Microsoft.Azure.WebJobs.Extensions.DurableTask")]
    [InlineData("AzureStorageQueues", "Microsoft.Azure.WebJobs.Extensions.Storage.Queues")]
    public void ExtensionsJson_HostExtension_IsListedAndShipped(string name, string assembly)
    {
        // Act
        using var document = JsonDocument.Parse(File.ReadAllText(publish.PathOf("extensions.json")));
        var extension = document.RootElement.GetProperty("extensions").EnumerateArray().SingleOrDefault(e => Text(e, "name") == name);

        // Assert
        Assert.Equal(JsonValueKind.Object, extension.ValueKind);
        Assert.Contains($", {assembly}, ", Text(extension, "typeName"), StringComparison.Ordinal);
        var hintPath = Text(extension, "hintPath").Replace("./", "", StringComparison.Ordinal);
        Assert.True(File.Exists(publish.PathOf(hintPath)), $"{hintPath} is not in the package");
    }

    [Fact]
    public void HostJson_DurableTaskAndQueues_ConfiguredForTheMesh()
    {
        // Act
        using var document = JsonDocument.Parse(File.ReadAllText(publish.PathOf("host.json")));
        var extensions = document.RootElement.GetProperty("extensions");
        var durable = extensions.GetProperty("durableTask");
        var queues = extensions.GetProperty("queues");

        // Assert
        Assert.Equal("2.0", Text(document.RootElement, "version"));
        Assert.Equal("%DataMesh__TaskHub%", Text(durable, "hubName"));
        Assert.Equal("AzureStorage", Text(durable.GetProperty("storageProvider"), "type"));
        Assert.Equal("none", Text(queues, "messageEncoding"));
        Assert.InRange(queues.GetProperty("maxDequeueCount").GetInt32(), 2, 10);
    }

    [Fact]
    public void HostJson_DurableTask_SetForFlexConsumption()
    {
        // Act
        using var document = JsonDocument.Parse(File.ReadAllText(publish.PathOf("host.json")));
        var provider = document.RootElement.GetProperty("extensions").GetProperty("durableTask").GetProperty("storageProvider");

        // Assert: the Durable docs ask Flex apps for a queue polling interval of 10 s or less (the default is 30 s);
        // the partition count is fixed when the task hub is created, so it is written down, not left to a default.
        Assert.InRange(TimeSpan.Parse(Text(provider, "maxQueuePollingInterval"), CultureInfo.InvariantCulture), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));
        Assert.Equal(4, provider.GetProperty("partitionCount").GetInt32());
    }

    [Fact]
    public void HostJson_TelemetryMode_IsOpenTelemetrySoHostAndWorkerSpansCorrelate()
    {
        // Act
        using var document = JsonDocument.Parse(File.ReadAllText(publish.PathOf("host.json")));

        // Assert
        Assert.Equal("OpenTelemetry", Text(document.RootElement, "telemetryMode"));
    }

    [Fact]
    public void Package_NativeLibraries_AreDuckDbForLinuxX64Only()
    {
        // Act
        var natives = Directory.EnumerateFiles(publish.Directory, "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".so", StringComparison.Ordinal) || f.EndsWith(".dylib", StringComparison.Ordinal)
                || Path.GetFileName(f).Equals("duckdb.dll", StringComparison.OrdinalIgnoreCase))
            .Select(f => Path.GetRelativePath(publish.Directory, f).Replace('\\', '/'))
            .ToList();

        // Assert: Flex Consumption runs linux-x64; osx, win and linux-arm64 builds of DuckDB would only be downloaded.
        Assert.Equal(["libduckdb.so"], natives);
        Assert.False(Directory.Exists(publish.PathOf("runtimes")), "runtimes/ holds other platforms' natives: publish for linux-x64 only");
        Assert.True(IsElfForX64(publish.PathOf("libduckdb.so")), "libduckdb.so is not a linux-x64 (ELF x86-64) library");
    }

    [Fact]
    public void Package_Size_StaysWithinTheBoundFlexPullsAtColdStart()
    {
        // Arrange: 126 MB when this bound was set (102 MB of it before ReadyToRun, 351 MB with every platform's DuckDB).
        const long boundBytes = 160L * 1024 * 1024;

        // Act
        var files = Directory.EnumerateFiles(publish.Directory, "*", SearchOption.AllDirectories).Select(f => new FileInfo(f)).ToList();
        var total = files.Sum(f => f.Length);
        output.WriteLine($"package: {total / (1024.0 * 1024):F1} MB in {files.Count} files");
        foreach (var file in files.OrderByDescending(f => f.Length).Take(5))
        {
            output.WriteLine($"  {file.Length / (1024.0 * 1024),6:F1} MB {Path.GetRelativePath(publish.Directory, file.FullName)}");
        }

        // Assert
        Assert.True(total <= boundBytes, $"The package is {total / (1024 * 1024)} MB, over the {boundBytes / (1024 * 1024)} MB bound: see which files grew above.");
        Assert.DoesNotContain(files, f => f.Extension == ".xml" && File.Exists(Path.ChangeExtension(f.FullName, ".dll")));
    }

    [Theory]
    [InlineData("DataMesh.Core.dll")]
    [InlineData("DataMesh.Functions.dll")]
    public void Package_AppAssembly_IsPrecompiledReadyToRun(string assembly)
    {
        // Act
        using var stream = File.OpenRead(publish.PathOf(assembly));
        using var reader = new PEReader(stream);

        // Assert: a ReadyToRun image carries a managed native header (IL-only assemblies have none).
        Assert.NotNull(reader.PEHeaders.CorHeader);
        Assert.True(reader.PEHeaders.CorHeader.ManagedNativeHeaderDirectory.Size > 0, $"{assembly} is IL only: PublishReadyToRun is off");
    }

    [Fact]
    public void Package_Products_DeployedWithoutSampleData()
    {
        // Assert
        Assert.True(File.Exists(publish.PathOf("pipelines", "finance", "ledger-emea", "product.yaml")));
        Assert.True(File.Exists(publish.PathOf("pipelines", "finance", "ledger-emea", "transform.sql")));
        Assert.False(Directory.Exists(publish.PathOf("pipelines", "finance", "ledger-emea", "samples")));
        Assert.False(File.Exists(publish.PathOf("local.settings.json")));
    }

    private Dictionary<string, List<JsonElement>> Functions()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(publish.PathOf("functions.metadata")));
        return document.RootElement.EnumerateArray().ToDictionary(
            f => Text(f, "name"),
            f => f.GetProperty("bindings").EnumerateArray().Select(b => b.Clone()).ToList(),
            StringComparer.Ordinal);
    }

    private List<JsonElement> Bindings(string function)
    {
        var functions = Functions();
        Assert.True(functions.ContainsKey(function), $"functions.metadata has no function '{function}' (it has: {string.Join(", ", functions.Keys)})");
        return functions[function];
    }

    // ELF header: magic 0x7F 'E' 'L' 'F', then e_machine (offset 18, little-endian) 0x3E for x86-64.
    private static bool IsElfForX64(string path)
    {
        Span<byte> header = stackalloc byte[20];
        using var stream = File.OpenRead(path);
        stream.ReadExactly(header);
        return header[..4].SequenceEqual("\u007fELF"u8) && header[18] == 0x3E && header[19] == 0;
    }

    private static string Text(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) ? value.GetString() ?? "" : "";
}
