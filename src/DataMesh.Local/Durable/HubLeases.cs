using System.Globalization;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace DataMesh.Local.Durable;

/// <summary>
/// Reads who holds a task hub's partition leases (the Azure Storage backend keeps one blob per control queue and lease
/// kind in <c>&lt;hub&gt;-leases</c>, its owner in the blob's content), for the message of a host that waits for them.
/// </summary>
internal sealed class HubLeases(string connectionString, string taskHubName)
{
    private readonly BlobContainerClient _container = new(connectionString, taskHubName.ToLowerInvariant() + "-leases");

    /// <summary>The task hub whose leases these are.</summary>
    public string TaskHubName { get; } = taskHubName;

    // A description for a message: not worth waiting on storage that does not answer.
    private static readonly TimeSpan ReadLimit = TimeSpan.FromSeconds(10);

    /// <summary>One line per control-queue lease: its blob, its state, and the owner it names; never throws.</summary>
    public async Task<string> DescribeAsync(CancellationToken cancellationToken = default)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(ReadLimit);
        cancellationToken = limit.Token;
        try
        {
            var leases = new List<string>();
            await foreach (var blob in _container.GetBlobsAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                if (!blob.Name.Contains("control", StringComparison.Ordinal))
                {
                    continue;
                }

                var content = (await _container.GetBlobClient(blob.Name).DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value;
                var state = content.Details.LeaseState == LeaseState.Leased
                    ? $"leased ({content.Details.LeaseDuration})"
                    : content.Details.LeaseState.ToString().ToLower(CultureInfo.InvariantCulture);
                leases.Add($"{blob.Name} {state} by {Owner(content.Content.ToArray())}");
            }

            return leases.Count == 0 ? $"no lease blob in {_container.Name}" : string.Join("; ", leases);
        }
        catch (Exception ex) when (ex is RequestFailedException or JsonException or InvalidOperationException)
        {
            return $"{_container.Name} unreadable: {ex.Message}";
        }
        catch (OperationCanceledException)
        {
            return $"{_container.Name} unread (no answer within {ReadLimit.TotalSeconds:0} s)";
        }
    }

    private static string Owner(byte[] content)
    {
        try
        {
            using var json = JsonDocument.Parse(content);
            return json.RootElement.ValueKind == JsonValueKind.Object
                && json.RootElement.TryGetProperty("Owner", out var owner) && owner.GetString() is { Length: > 0 } name
                ? name
                : "no owner";
        }
        catch (JsonException)
        {
            return $"(content '{Encoding.UTF8.GetString(content, 0, Math.Min(content.Length, 80))}')";
        }
    }
}
