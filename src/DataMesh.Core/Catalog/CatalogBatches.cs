using System.Text;
using Azure.Data.Tables;

namespace DataMesh.Catalog;

/// <summary>
/// Splits table writes into transactions Azure accepts: one partition per batch, at most 100 actions, under 4 MiB,
/// and no entity twice in one batch. Azurite accepts batches that break these rules, so they are enforced here.
/// </summary>
public static class CatalogBatches
{
    /// <summary>Most actions Azure Tables takes in one transaction.</summary>
    public const int MaxActions = 100;

    /// <summary>Payload budget per transaction: Azure's limit is 4 MiB; estimates below leave a margin for the multipart framing.</summary>
    public const int MaxBytes = 3 * 1024 * 1024;

    // Per action: the changeset part headers and request line, generously.
    private const int ActionOverheadBytes = 1024;

    // Per property: its name, its OData type annotation and the JSON punctuation.
    private const int PropertyOverheadBytes = 96;

    /// <summary>Groups <paramref name="actions"/> into valid transactions, keeping their order within each partition.</summary>
    public static IReadOnlyList<IReadOnlyList<TableTransactionAction>> Plan(IEnumerable<TableTransactionAction> actions)
    {
        ArgumentNullException.ThrowIfNull(actions);
        var batches = new List<IReadOnlyList<TableTransactionAction>>();
        foreach (var partition in actions.GroupBy(a => a.Entity.PartitionKey, StringComparer.Ordinal))
        {
            var current = new List<TableTransactionAction>();
            var rowKeys = new HashSet<string>(StringComparer.Ordinal);
            var bytes = 0L;
            foreach (var action in partition)
            {
                var size = EstimateBytes(action.Entity);
                if (size > MaxBytes)
                {
                    throw new ArgumentException(
                        $"Entity '{action.Entity.PartitionKey}'/'{action.Entity.RowKey}' is about {size} bytes, more than one transaction may carry.", nameof(actions));
                }

                if (current.Count == MaxActions || bytes + size > MaxBytes || !rowKeys.Add(action.Entity.RowKey))
                {
                    batches.Add(current);
                    current = [];
                    rowKeys = new HashSet<string>(StringComparer.Ordinal) { action.Entity.RowKey };
                    bytes = 0;
                }

                current.Add(action);
                bytes += size;
            }

            if (current.Count > 0)
            {
                batches.Add(current);
            }
        }

        return batches;
    }

    /// <summary>Submits <paramref name="actions"/> as the transactions <see cref="Plan"/> makes; returns how many were sent.</summary>
    public static async Task<int> SubmitAsync(TableClient table, IEnumerable<TableTransactionAction> actions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(table);
        var batches = Plan(actions);
        foreach (var batch in batches)
        {
            await table.SubmitTransactionAsync(batch, cancellationToken).ConfigureAwait(false);
        }

        return batches.Count;
    }

    /// <summary>An upper estimate of an entity's size on the wire (JSON may escape a character into six bytes).</summary>
    internal static long EstimateBytes(ITableEntity entity)
    {
        long bytes = ActionOverheadBytes + (2 * PropertyOverheadBytes) + Utf8(entity.PartitionKey) + Utf8(entity.RowKey);
        if (entity is TableEntity properties)
        {
            foreach (var (name, value) in properties)
            {
                bytes += PropertyOverheadBytes + Utf8(name) + value switch
                {
                    string text => Utf8(text),
                    byte[] binary => (binary.Length + 2) / 3 * 4,
                    BinaryData binary => (binary.ToMemory().Length + 2) / 3 * 4,
                    _ => 40,
                };
            }
        }

        return bytes;
    }

    private static long Utf8(string? text) => text is null ? 0 : Math.Max(Encoding.UTF8.GetByteCount(text), text.Length * 2L);
}
