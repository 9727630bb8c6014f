using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Azure.Messaging;
using DataMesh.Catalog;
using DataMesh.Storage;

namespace DataMesh.Events;

/// <summary>
/// The announcements not yet confirmed sent: table <c>Outbox</c> in the domain's storage, one row per event
/// (<c>source</c> + <c>id</c>). A row is written before the event is published and deleted once the topic accepted
/// it, so an event whose every publish attempt failed, or whose host died in between, waits there for
/// <see cref="OutboxRelay"/>. The first record of an event wins: a retried announcement re-sends exactly what was
/// stored, a duplicate by <c>source</c> + <c>id</c> that consumers already collapse.
/// </summary>
public sealed class AnnouncementOutbox
{
    /// <summary>Name of the outbox table (prefixed by the storage namespace, like every mesh table).</summary>
    public const string TableName = "Outbox";

    // A binary property holds at most 64 KiB and an entity at most 1 MiB: the event's JSON is split across chunks.
    private const int ChunkBytes = 64_000;
    private const int MaxChunks = 15;
    private const string ChunkPrefix = "Event";
    private const string CreatedAtColumn = "CreatedAt";
    private const string AttemptsColumn = "Attempts";
    private const string LastErrorColumn = "LastError";
    private const string LastAttemptAtColumn = "LastAttemptAt";
    private const int MaxErrorLength = 4_000;

    private readonly MeshStorage _storage;
    private readonly TimeProvider _time;
    private volatile TableClient? _table;

    public AnnouncementOutbox(MeshStorage storage, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(storage);
        _storage = storage;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>
    /// Largest event (its CloudEvents JSON, in bytes) the outbox holds: what one queue message delivers
    /// (<see cref="ProductEventBudget.MaxEventBytes"/>). A larger event could be stored but never delivered.
    /// </summary>
    public static int MaxEventBytes => Math.Min(ChunkBytes * MaxChunks, ProductEventBudget.MaxEventBytes);

    /// <summary>
    /// Records <paramref name="cloudEvent"/> as pending and returns the event to send: the one given, or the one
    /// already recorded under the same <c>source</c> + <c>id</c> (an earlier attempt of the same announcement).
    /// </summary>
    /// <exception cref="ArgumentException">The event has no source or id, or its JSON is larger than <see cref="MaxEventBytes"/>.</exception>
    public async Task<CloudEvent> AddAsync(CloudEvent cloudEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        var (partitionKey, rowKey) = Keys(cloudEvent);
        var json = JsonSerializer.SerializeToUtf8Bytes(cloudEvent);
        if (json.Length > MaxEventBytes)
        {
            throw new ArgumentException(
                $"Event '{cloudEvent.Id}' of type '{cloudEvent.Type}' is {json.Length} bytes of JSON; the outbox holds at most {MaxEventBytes} "
                + "(Event Grid delivers it through a queue message of 64 KiB, Base64-encoded): trim its data (ProductEventBudget.Fit).",
                nameof(cloudEvent));
        }

        var entity = new TableEntity(partitionKey, rowKey)
        {
            [CreatedAtColumn] = _time.GetUtcNow(),
            [AttemptsColumn] = 0,
        };
        for (var i = 0; i * ChunkBytes < json.Length; i++)
        {
            entity[ChunkPrefix + i] = json.AsSpan(i * ChunkBytes, Math.Min(ChunkBytes, json.Length - i * ChunkBytes)).ToArray();
        }

        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        while (true)
        {
            try
            {
                await table.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false);
                return cloudEvent;
            }
            catch (RequestFailedException ex) when (ex.Status == 409)
            {
                // Recorded by an earlier attempt: send what it recorded, so every copy of the event is the same.
            }

            var existing = await table.GetEntityIfExistsAsync<TableEntity>(partitionKey, rowKey, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (existing.HasValue && existing.Value is { } row)
            {
                return ReadEvent(row);
            }

            // Sent and removed between our add and our read (by the relay): record it again.
        }
    }

    /// <summary>Removes the record of an event the topic accepted. Removing one already gone is not an error.</summary>
    public async Task RemoveAsync(CloudEvent cloudEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        var (partitionKey, rowKey) = Keys(cloudEvent);
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await table.DeleteEntityAsync(partitionKey, rowKey, ETag.All, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Removed by another sender of the same event (the announcing activity or the relay).
        }
    }

    /// <summary>Records a failed send on the event's row (attempts, last error), for the relay's log and for operators.</summary>
    public async Task RecordFailureAsync(OutboxEntry entry, string error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(error);
        var (partitionKey, rowKey) = Keys(entry.Event);
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var update = new TableEntity(partitionKey, rowKey)
        {
            [AttemptsColumn] = entry.Attempts + 1,
            [LastErrorColumn] = error.Length <= MaxErrorLength ? error : error[..MaxErrorLength],
            [LastAttemptAtColumn] = _time.GetUtcNow(),
        };
        try
        {
            await table.UpdateEntityAsync(update, ETag.All, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Sent meanwhile by another sender: nothing left to record.
        }
    }

    /// <summary>The pending events recorded at or before <paramref name="createdUpTo"/>, oldest first.</summary>
    public async Task<IReadOnlyList<OutboxEntry>> GetPendingAsync(DateTimeOffset createdUpTo, CancellationToken cancellationToken = default)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var pending = new List<OutboxEntry>();
        await foreach (var row in table.QueryAsync<TableEntity>(cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            var createdAt = row.GetDateTimeOffset(CreatedAtColumn) ?? row.Timestamp ?? DateTimeOffset.MinValue;
            if (createdAt <= createdUpTo)
            {
                pending.Add(new OutboxEntry(ReadEvent(row), createdAt, row.GetInt32(AttemptsColumn) ?? 0, row.GetString(LastErrorColumn)));
            }
        }

        return pending.OrderBy(e => e.CreatedAt).ToList();
    }

    private static (string PartitionKey, string RowKey) Keys(CloudEvent cloudEvent)
    {
        if (string.IsNullOrEmpty(cloudEvent.Source) || string.IsNullOrEmpty(cloudEvent.Id))
        {
            throw new ArgumentException("A CloudEvent needs a source and an id to be recorded in the outbox.", nameof(cloudEvent));
        }

        return (CatalogKeys.Encode(cloudEvent.Source), CatalogKeys.Encode(cloudEvent.Id));
    }

    private static CloudEvent ReadEvent(TableEntity row)
    {
        using var json = new MemoryStream();
        for (var i = 0; row.GetBinary(ChunkPrefix + i) is { } chunk; i++)
        {
            json.Write(chunk);
        }

        return CloudEvent.Parse(BinaryData.FromBytes(json.ToArray()))
            ?? throw new FormatException($"Outbox row {row.PartitionKey}/{row.RowKey} of table {TableName} holds no CloudEvent.");
    }

    private async Task<TableClient> TableAsync(CancellationToken cancellationToken)
    {
        if (_table is { } ready)
        {
            return ready;
        }

        var table = _storage.Table(TableName);
        await table.CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);
        _table = table;
        return table;
    }
}
