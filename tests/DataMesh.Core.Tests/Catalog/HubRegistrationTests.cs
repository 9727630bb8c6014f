using DataMesh.Catalog;
using DataMesh.Core.Tests.Publishing;
using DataMesh.Events;
using DataMesh.Lineage;
using DataMesh.Pipeline;
using DataMesh.Specs;
using DataMesh.Testing;
using Microsoft.Extensions.Logging;

namespace DataMesh.Core.Tests.Catalog;

/// <summary>
/// Product registrations in the hub's catalog as Azure makes them: each domain app announces its releases with its
/// product's registration, derived from its own specs only; the catalog's readers answer across domains from them.
/// </summary>
[Collection("azurite")]
public sealed class HubRegistrationTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task ApplyAsync_ReleasesCarryingRegistrations_ReadersAcrossDomainsAnswerFromThem()
    {
        // Arrange: finance.ledger and sales.summary (reads entry_id and amount through ^1), each announced by its own domain app.
        using var mesh = new ConsumerMesh();
        var products = ProductRegistry.LoadFrom(mesh.Pipelines);
        var ledger = products.Get("finance.ledger");
        var summary = products.Get("sales.summary");
        var storage = azurite.CreateMeshStorage();
        var projection = new CatalogProjection(storage);

        // Act
        await DomainRegistrations.AnnounceAsync(projection, ledger, summary);
        var catalog = new CatalogReader(storage);
        var readers = await catalog.GetReadersAsync("finance.ledger", 1);
        var upstream = await catalog.GetLineageAsync("sales.summary", "upstream", 1);

        // Assert: amount is read by sales.summary through ^1 and feeds its amount; note is read by nobody.
        var reader = Assert.Single(readers.Columns.Single(c => c.Column == "amount").Readers);
        Assert.Equal(("sales.summary", "gl", "^1", 1, "finance.ledger", "amount"), (reader.ProductId, reader.Input, reader.Versions, reader.Hop, reader.Through, reader.ThroughColumn));
        Assert.Equal(["amount"], reader.Outputs);
        Assert.Empty(readers.Columns.Single(c => c.Column == "note").Readers);
        Assert.Contains(upstream.Columns.Single(c => c.Column == "amount").Sources, s => s.Product == "finance.ledger" && s.Column == "amount");
        var registered = await catalog.GetProductAsync("sales.summary");
        Assert.Equal(["entry_id", "amount"], registered!.Columns.Select(c => c.Name));
    }

    [Fact]
    public async Task ApplyAsync_OlderDeploymentsReleaseAfterANewerStartUpRegistration_TheNewerRegistrationStays()
    {
        // Arrange: sales.summary's first deployment (reads the ledger's entry_id and amount) published release 1; the
        // next deployment no longer reads amount, and registers at its start before release 1's event reaches the hub.
        using var mesh = new ConsumerMesh();
        var first = ProductRegistry.LoadFrom(mesh.Pipelines).Get("sales.summary");
        var olderRelease = ProductEventFactory.CreateProductVersionPublished(DomainRegistrations.Release(first, [first]));
        File.WriteAllText(Path.Combine(mesh.Summary, "transform.sql"), "SELECT entry_id,\n       CAST(0 AS DECIMAL(18,2)) AS amount\nFROM gl\n");
        var next = ProductRegistry.LoadFrom(mesh.Pipelines).Get("sales.summary");
        var storage = azurite.CreateMeshStorage();
        var projection = new CatalogProjection(storage);
        await projection.RegisterProductsAsync([DomainRegistrations.Of(next, [next])]);

        // Act
        await projection.ApplyAsync(olderRelease);

        // Assert: the ledger's amount has no reader (the newer declaration holds), and release 1 is recorded all the same.
        var catalog = new CatalogReader(storage);
        var readers = await catalog.GetReadersAsync("finance.ledger", 1);
        Assert.Equal(["entry_id"], readers.Columns.Select(c => c.Column));
        Assert.Equal(1, (await catalog.GetProductAsync("sales.summary"))!.LatestRelease);
        var upstream = await catalog.GetLineageAsync("sales.summary", "upstream", 1);
        Assert.Empty(upstream.Columns.Single(c => c.Column == "amount").Sources);
    }

    [Fact]
    public async Task ApplyAsync_NewerDeploymentsReleaseAfterAnOlderStartUpRegistration_TheReleasesRegistrationIsRecorded()
    {
        // Arrange: the first deployment registered at its start; the next one (no longer reading amount) publishes.
        using var mesh = new ConsumerMesh();
        var first = ProductRegistry.LoadFrom(mesh.Pipelines).Get("sales.summary");
        File.WriteAllText(Path.Combine(mesh.Summary, "transform.sql"), "SELECT entry_id,\n       CAST(0 AS DECIMAL(18,2)) AS amount\nFROM gl\n");
        var next = ProductRegistry.LoadFrom(mesh.Pipelines).Get("sales.summary");
        var storage = azurite.CreateMeshStorage();
        var projection = new CatalogProjection(storage);
        await projection.RegisterProductsAsync([DomainRegistrations.Of(first, [first])]);

        // Act
        await projection.ApplyAsync(ProductEventFactory.CreateProductVersionPublished(DomainRegistrations.Release(next, [next])));

        // Assert
        var readers = await new CatalogReader(storage).GetReadersAsync("finance.ledger", 1);
        Assert.Equal(["entry_id"], readers.Columns.Select(c => c.Column));
    }

    [Fact]
    public async Task ApplyAsync_ReleasesRegistrationStampedBeyondTheTolerance_ReleaseRecordedRegistrationNotApplied()
    {
        // Arrange: the hub's clock at 09:00; sales.summary registered at 08:59 (reading amount); the next deployment's
        // release (no longer reading amount) arrives stamped a day ahead (its app's clock runs ahead).
        using var mesh = new ConsumerMesh();
        var (first, next) = Deployments(mesh);
        var storage = azurite.CreateMeshStorage();
        var log = new WarningLog();
        var projection = new CatalogProjection(storage, new ManualClock(HubNow), logger: log);
        await projection.RegisterProductsAsync([DomainRegistrations.Of(first, [first]) with { DeclaredAt = HubNow.AddMinutes(-1) }]);
        var ahead = DomainRegistrations.Release(next, [next]);
        ahead = ahead with { Registration = ahead.Registration! with { DeclaredAt = HubNow.AddDays(1) } };

        // Act
        await projection.ApplyAsync(ProductEventFactory.CreateProductVersionPublished(ahead));

        // Assert: release 1 is recorded; the declaration held is the one at 08:59 (amount still read); the hub says why.
        var catalog = new CatalogReader(storage);
        Assert.Equal(1, (await catalog.GetProductAsync("sales.summary"))!.LatestRelease);
        Assert.Single(await catalog.GetReleasesAsync("sales.summary"));
        var readers = await catalog.GetReadersAsync("finance.ledger", 1);
        Assert.Equal(["sales.summary"], readers.Columns.Single(c => c.Column == "amount").Readers.Select(r => r.ProductId));
        var warning = Assert.Single(log.Messages);
        Assert.Contains("release 1.0.0#1 of sales.summary without applying its registration: its declaredAt 2026-12-02T09:00:00.0000000+00:00 is ahead of the hub's time 2026-12-01T09:00:00.0000000+00:00 by more than the tolerated clock skew of 5 minutes", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApplyAsync_ReleasesRegistrationStampedAheadWithinTheTolerance_Applied()
    {
        // Arrange: as above, the release's registration stamped 4 minutes ahead of the hub's clock (tolerance 5).
        using var mesh = new ConsumerMesh();
        var (first, next) = Deployments(mesh);
        var storage = azurite.CreateMeshStorage();
        var log = new WarningLog();
        var projection = new CatalogProjection(storage, new ManualClock(HubNow), logger: log);
        await projection.RegisterProductsAsync([DomainRegistrations.Of(first, [first]) with { DeclaredAt = HubNow.AddMinutes(-1) }]);
        var ahead = DomainRegistrations.Release(next, [next]);
        ahead = ahead with { Registration = ahead.Registration! with { DeclaredAt = HubNow.AddMinutes(4) } };

        // Act
        await projection.ApplyAsync(ProductEventFactory.CreateProductVersionPublished(ahead));

        // Assert: the newer declaration holds (amount no longer read).
        var readers = await new CatalogReader(storage).GetReadersAsync("finance.ledger", 1);
        Assert.Equal(["entry_id"], readers.Columns.Select(c => c.Column));
        Assert.Empty(log.Messages);
    }

    [Fact]
    public async Task ApplyAsync_StoredRegistrationStampedBeyondTheTolerance_ReplacedByAValidOne()
    {
        // Arrange: a row stored before the hub refused such stamps, declared a day ahead of the hub's clock; the next
        // deployment's release carries a registration stamped now, which reads amount no longer.
        using var mesh = new ConsumerMesh();
        var (first, next) = Deployments(mesh);
        var storage = azurite.CreateMeshStorage();
        var projection = new CatalogProjection(storage, new ManualClock(HubNow));
        await projection.RegisterProductsAsync([DomainRegistrations.Of(first, [first]) with { DeclaredAt = HubNow.AddDays(1) }]);
        var valid = DomainRegistrations.Release(next, [next]);
        valid = valid with { Registration = valid.Registration! with { DeclaredAt = HubNow } };

        // Act
        await projection.ApplyAsync(ProductEventFactory.CreateProductVersionPublished(valid));

        // Assert: the future stamp counted as none; the valid registration holds.
        var readers = await new CatalogReader(storage).GetReadersAsync("finance.ledger", 1);
        Assert.Equal(["entry_id"], readers.Columns.Select(c => c.Column));
    }

    [Fact]
    public void Release_ContractWithExampleValuesOfClassifiedColumn_RegistrationCarriesNoValue()
    {
        // Arrange: the ledger's classified entry_id carries example values in its contract.
        using var mesh = new ConsumerMesh();
        File.WriteAllText(mesh.LedgerContractPath, File.ReadAllText(mesh.LedgerContractPath)
            .Replace("                classification: internal\n              - name: amount", "                classification: internal\n                examples: [\"EX-SECRET-4711\"]\n              - name: amount", StringComparison.Ordinal));
        var ledger = ProductRegistry.LoadFrom(mesh.Pipelines).Get("finance.ledger");

        // Act
        var json = ProductEventFactory.CreateProductVersionPublished(DomainRegistrations.Release(ledger, [ledger])).Data!.ToString();

        // Assert: names and classifications, never a value.
        Assert.Contains("\"registration\"", json, StringComparison.Ordinal);
        Assert.Contains("entry_id", json, StringComparison.Ordinal);
        Assert.DoesNotContain("EX-SECRET-4711", json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApplyAsync_RegistrationOfAnotherDomainsProduct_RejectedAndNothingRegistered()
    {
        // Arrange: sales' channel announces its own release, carrying a registration of finance's product.
        using var mesh = new ConsumerMesh();
        var products = ProductRegistry.LoadFrom(mesh.Pipelines);
        var ledger = products.Get("finance.ledger");
        var summary = products.Get("sales.summary");
        var forged = DomainRegistrations.Release(summary, [summary]) with { Registration = DomainRegistrations.Of(ledger, [ledger]) };
        var storage = azurite.CreateMeshStorage();

        // Act
        var refused = await Assert.ThrowsAsync<CatalogEventRejectedException>(() => new CatalogProjection(storage).ApplyAsync(ProductEventFactory.CreateProductVersionPublished(forged)));

        // Assert
        Assert.Contains("a domain registers its own products only", refused.Message, StringComparison.Ordinal);
        var catalog = new CatalogReader(storage);
        Assert.Null(await catalog.GetProductAsync("finance.ledger"));
        Assert.Null(await catalog.GetProductAsync("sales.summary"));
    }

    [Fact]
    public async Task ApplyAsync_RegistrationClaimingToReadAnUndeclaredProduct_Rejected()
    {
        // Arrange: sales.summary's registration claims to read finance.payroll, which its spec does not declare.
        using var mesh = new ConsumerMesh();
        var summary = ProductRegistry.LoadFrom(mesh.Pipelines).Get("sales.summary");
        var data = DomainRegistrations.Release(summary, [summary]);
        var lineage = data.Registration!.ColumnLineage!;
        var forged = data with
        {
            Registration = data.Registration with { ColumnLineage = lineage with { Reads = [.. lineage.Reads, new ColumnLineageInput("gl", ["salary"], "finance.payroll")] } },
        };

        // Act
        var refused = await Assert.ThrowsAsync<CatalogEventRejectedException>(() => new CatalogProjection(azurite.CreateMeshStorage()).ApplyAsync(ProductEventFactory.CreateProductVersionPublished(forged)));

        // Assert
        Assert.Contains("reads 'finance.payroll', which is not one of the product's declared inputs", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetReaders_DomainTheProductsAccessDoesNotAdmit_NotCountedAsReader()
    {
        // Arrange: marketing registers a product reading the ledger, which admits sales only (restricted).
        using var mesh = new ConsumerMesh();
        var ledger = ProductRegistry.LoadFrom(mesh.Pipelines).Get("finance.ledger");
        var storage = azurite.CreateMeshStorage();
        var projection = new CatalogProjection(storage);
        await DomainRegistrations.AnnounceAsync(projection, ledger);
        await projection.RegisterProductAsync(Reader("marketing", "spy", "finance.ledger", "amount", "total"));

        // Act
        var readers = await new CatalogReader(storage).GetReadersAsync("finance.ledger", 1);

        // Assert
        Assert.Empty(readers.Columns.Single(c => c.Column == "amount").Readers);
    }

    [Fact]
    public async Task GetReaders_ReaderOfAReader_ShownWithItsHopAndThroughWhichColumn()
    {
        // Arrange: finance.ledger.amount -> sales.summary.amount -> sales.report.total.
        using var mesh = new ConsumerMesh();
        var products = ProductRegistry.LoadFrom(mesh.Pipelines);
        var storage = azurite.CreateMeshStorage();
        var projection = new CatalogProjection(storage);
        await DomainRegistrations.AnnounceAsync(projection, products.Get("finance.ledger"), products.Get("sales.summary"));
        await projection.RegisterProductAsync(Reader("sales", "report", "sales.summary", "amount", "total"));
        var catalog = new CatalogReader(storage);

        // Act
        var oneHop = await catalog.GetReadersAsync("finance.ledger", 1);
        var twoHops = await catalog.GetReadersAsync("finance.ledger", 2);

        // Assert
        Assert.Equal(["sales.summary"], oneHop.Columns.Single(c => c.Column == "amount").Readers.Select(r => r.ProductId));
        var amount = twoHops.Columns.Single(c => c.Column == "amount").Readers;
        Assert.Equal([("sales.summary", 1), ("sales.report", 2)], amount.Select(r => (r.ProductId, r.Hop)));
        Assert.Equal(("sales.summary", "amount", "^2"), (amount[1].Through, amount[1].ThroughColumn, amount[1].Versions));
        Assert.Equal(["total"], amount[1].Outputs);
        Assert.Equal(["sales.summary"], twoHops.Columns.Single(c => c.Column == "entry_id").Readers.Select(r => r.ProductId));
    }

    [Fact]
    public async Task GetReaders_HubRequiringAuthenticatedCallers_AnonymousRefused401TokenAnswered()
    {
        // Arrange: the hub's API as the Functions app serves it (authenticated callers only on the readers route).
        var hub = new HubCatalogHandler(new CatalogReader(azurite.CreateMeshStorage()));

        // Act
        var anonymous = await Assert.ThrowsAsync<HttpRequestException>(() => hub.Client(token: null).GetReadersAsync("finance.ledger"));
        var answered = await hub.Client().GetReadersAsync("finance.ledger");

        // Assert
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(("finance.ledger", 1), (answered.ProductId, answered.Depth));
        Assert.Empty(answered.Columns);
    }

    /// <summary>The hub's clock in the tests of stamps ahead of it.</summary>
    private static readonly DateTimeOffset HubNow = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);

    /// <summary>sales.summary of <paramref name="mesh"/>'s first deployment (reads the ledger's entry_id and amount) and of the next (no longer reads amount).</summary>
    private static (ProductSpec First, ProductSpec Next) Deployments(ConsumerMesh mesh)
    {
        var first = ProductRegistry.LoadFrom(mesh.Pipelines).Get("sales.summary");
        File.WriteAllText(Path.Combine(mesh.Summary, "transform.sql"), "SELECT entry_id,\n       CAST(0 AS DECIMAL(18,2)) AS amount\nFROM gl\n");
        return (first, ProductRegistry.LoadFrom(mesh.Pipelines).Get("sales.summary"));
    }

    /// <summary>A registered product that reads <paramref name="column"/> of <paramref name="upstream"/> (through ^2) into <paramref name="output"/>.</summary>
    private static ProductRegistration Reader(string domain, string name, string upstream, string column, string output) =>
        new(domain, name, "1.0.0", $"{name} of {domain}", domain, $"{domain}@example.com", [], "public")
        {
            Inputs = [upstream],
            InputVersions = new Dictionary<string, string> { [upstream] = "^2" },
            ColumnLineage = new ColumnLineage
            {
                Outputs = [new ColumnLineageOutput(output, [new ColumnLineageSource("up", column, ColumnLineageSource.Direct, "TRANSFORMATION", upstream)])],
                Reads = [new ColumnLineageInput("up", [column], upstream)],
                Dataset = [],
            },
        };

    /// <summary>The projection's warnings, as formatted.</summary>
    private sealed class WarningLog : ILogger<CatalogProjection>
    {
        public List<string> Messages { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                Messages.Add(formatter(state, exception));
            }
        }
    }
}
