using System.Globalization;
using Azure;
using Azure.Data.Tables;

namespace DataMesh.Local.Durable;

/// <summary>
/// Reads who holds a task hub's partition leases, for the message of a host that waits for them. The engine runs the
/// Azure Storage backend's table partition manager (<c>UseTablePartitionManagement</c>, its default since
/// DurableTask.AzureStorage 2.x): one row per control queue in the table <c>&lt;hub&gt;Partitions</c>
/// (<c>TablePartitionLease</c>: row key the control queue, <c>CurrentOwner</c>, <c>NextOwner</c> while another worker
/// takes it, <c>ExpiresAt</c>, <c>IsDraining</c>). The blob container <c>&lt;hub&gt;-leases</c> of the older blob
/// partition managers is never created then.
/// </summary>
internal sealed class HubLeases(string connectionString, string taskHubName)
{
    private readonly TableClient _table = new(connectionString, PartitionTableName(taskHubName));

    /// <summary>The task hub whose leases these are.</summary>
    public string TaskHubName { get; } = taskHubName;

    // A description for a message: not worth waiting on storage that does not answer.
    private static readonly TimeSpan ReadLimit = TimeSpan.FromSeconds(10);

    /// <summary>The backend's partition table of a task hub (DTFx's <c>AzureStorageOrchestrationServiceSettings.PartitionTableName</c>, internal there).</summary>
    internal static string PartitionTableName(string taskHubName) => taskHubName + "Partitions";

    /// <summary>One line per control-queue lease: the queue, its owner and until when, who is taking it over; never throws.</summary>
    public async Task<string> DescribeAsync(CancellationToken cancellationToken = default)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(ReadLimit);
        cancellationToken = limit.Token;
        try
        {
            var leases = new List<string>();
            var now = DateTime.UtcNow;
            await foreach (var row in _table.QueryAsync<TableEntity>(cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                leases.Add(Describe(row, now));
            }

            return leases.Count == 0 ? $"no partition lease in table {_table.Name}" : string.Join("; ", leases);
        }
        catch (RequestFailedException ex)
        {
            return $"table {_table.Name} unreadable: {ex.Message.Split('\n')[0].Trim()}";
        }
        catch (OperationCanceledException)
        {
            return $"table {_table.Name} unread (no answer within {ReadLimit.TotalSeconds:0} s)";
        }
    }

    private static string Describe(TableEntity row, DateTime now)
    {
        var owner = row.GetString("CurrentOwner") is { Length: > 0 } current ? $"owned by {current}" : "unowned";
        var expires = row.GetDateTimeOffset("ExpiresAt") is { } at
            ? $" until {at.UtcDateTime.ToString("HH:mm:ss", CultureInfo.InvariantCulture)} UTC{(at.UtcDateTime < now ? " (expired)" : string.Empty)}"
            : string.Empty;
        var next = row.GetString("NextOwner") is { Length: > 0 } taker ? $", being taken over by {taker}" : string.Empty;
        var draining = row.GetBoolean("IsDraining") == true ? ", draining" : string.Empty;
        return $"{row.RowKey} {owner}{expires}{next}{draining}";
    }
}
