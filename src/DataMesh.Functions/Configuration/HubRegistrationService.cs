using System.Net;
using DataMesh.Catalog;
using DataMesh.Pipeline;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DataMesh.Functions.Configuration;

/// <summary>
/// Registers a domain app's products with the mesh hub when the app starts (<see cref="HubCatalogClient.RegisterAsync"/>,
/// the app's managed identity token for the mesh API): a consumer deployed but never run is then a reader in other
/// domains' publish gates, instead of unknown until its first release. The registrations are those its release events
/// carry (<see cref="ProductRegistration.FromSpecs"/> over the specs the app holds, each stamped with when the app read
/// it), sent as the domain's complete set: the hub keeps the newest declaration of each product and withdraws those of
/// the domain's products no longer declared (<see cref="ProductRegistrationIntake"/>). It runs in the background and never
/// holds up or stops the app: a hub that cannot be reached is asked again with exponential back-off (from
/// <see cref="FirstRetryDelay"/> to <see cref="MaxRetryDelay"/>) until it answers or the app stops; a registration the
/// hub refuses as invalid (400, 413) is logged and not sent again until the next start. Nothing runs on the hub itself,
/// nor where no hub endpoint is set (<c>DataMesh__Hub__CatalogEndpoint</c>).
/// </summary>
internal sealed partial class HubRegistrationService(PipelineRuntime runtime, ProductRegistry products, IOptions<DataMeshAppOptions> options, ILogger<HubRegistrationService> logger)
    : BackgroundService
{
    /// <summary>The wait before the second attempt; doubled after each failure.</summary>
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest wait between attempts.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Completes once the hub recorded the registrations (true), refused them or the service gave up (false).</summary>
    public Task<bool> Registered => _registered.Task;

    private readonly TaskCompletionSource<bool> _registered = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The host's start goes on while this waits for the hub.
        await Task.Yield();
        try
        {
            _registered.TrySetResult(await RegisterAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            _registered.TrySetResult(false);
        }
        catch (Exception ex)
        {
            // Never stop the app: its own domain's pipelines run without the hub; other domains' gates judge without
            // these registrations until it publishes (each release carries its registration).
            LogGaveUp(logger, ex);
            _registered.TrySetResult(false);
        }
    }

    private async Task<bool> RegisterAsync(CancellationToken stoppingToken)
    {
        var app = options.Value;
        if (app.IsHub || runtime.Hub is not { } hub)
        {
            return false;
        }

        var own = products.All.Where(p => p.Domain == app.Domain).ToList();
        if (own.Count == 0)
        {
            return false;
        }

        var registrations = ProductRegistration.FromSpecs(own, products.All);
        var delay = FirstRetryDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                // Every product of the domain: the hub withdraws the registrations of those deleted from its specs.
                await hub.RegisterAsync(registrations, complete: true, stoppingToken).ConfigureAwait(false);
                LogRegistered(logger, registrations.Count, app.Domain, hub.Endpoint, string.Join(", ", registrations.Select(r => r.ProductId)));
                return true;
            }
            catch (HttpRequestException ex) when (ex.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.RequestEntityTooLarge)
            {
                LogRefused(logger, app.Domain, hub.Endpoint, ex.Message);
                return false;
            }
            catch (HttpRequestException ex)
            {
                // Unreachable, no token yet, or a role grant not yet in the token (401/403): ask again later.
                LogRetrying(logger, attempt, app.Domain, hub.Endpoint, delay, ex.Message);
            }

            await Task.Delay(delay, stoppingToken).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
        }
    }

    [LoggerMessage(EventId = 3010, Level = LogLevel.Information, Message = "Registered {Count} product(s) of domain {Domain} with the hub {Hub}: {Products}")]
    private static partial void LogRegistered(ILogger logger, int count, string domain, Uri hub, string products);

    [LoggerMessage(EventId = 3011, Level = LogLevel.Warning, Message = "Attempt {Attempt} to register domain {Domain}'s products with the hub {Hub} failed; next in {Delay}: {Reason}")]
    private static partial void LogRetrying(ILogger logger, int attempt, string domain, Uri hub, TimeSpan delay, string reason);

    [LoggerMessage(EventId = 3012, Level = LogLevel.Error, Message = "The hub {Hub} refused domain {Domain}'s registrations (fix the specs and deploy again): {Reason}")]
    private static partial void LogRefused(ILogger logger, string domain, Uri hub, string reason);

    [LoggerMessage(EventId = 3013, Level = LogLevel.Error, Message = "Registering this domain's products with the hub failed; other domains' publish gates know them once they publish")]
    private static partial void LogGaveUp(ILogger logger, Exception exception);
}
