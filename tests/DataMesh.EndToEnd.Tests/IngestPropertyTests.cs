using System.Text;
using CsCheck;
using DataMesh.Pipeline;
using DataMesh.Publishing;
using DataMesh.Testing;

namespace DataMesh.EndToEnd.Tests;

/// <summary>
/// Property-based ingest (CsCheck): random bytes and random CSV shapes (columns, rows, quoting, delimiters,
/// encodings) dropped through the real pipeline on a local mesh never crash or hang it: every run ends Published,
/// QualityFailed or Failed with a reason, and a run that did not publish leaves no release behind. On failure CsCheck
/// prints the seed that reproduces the case (set it as <c>CsCheck_Seed</c>).
/// </summary>
[Collection(AzuriteCollection.Name)]
[Trait("Category", "BadInput")]
public sealed class IngestPropertyTests(AzuriteFixture azurite)
{
    private const string AutoDetectedInputs = """
          - name: orders
            landing: { path: orders/, format: csv }
        """;

    private static readonly SharedMesh Mesh = new(domain =>
    [
        new TestProduct(domain, "declared-orders"),
        new TestProduct(domain, "detected-orders", inputs: AutoDetectedInputs),
    ]);

    private static readonly string[] Columns = ["order_id", "customer", "amount", "status", "note", ""];
    private static readonly string[] Delimiters = [",", ";", "\t", "|"];
    private static readonly string[] Encodings = ["utf-8", "utf-8-bom", "latin-1", "utf-16"];

    /// <summary>One generated landing file and the product it is dropped on.</summary>
    public sealed record DroppedFile(int Product, string Shape, byte[] Content)
    {
        public override string ToString() => $"{Shape} ({Content.Length} bytes) on product {Product}: {Convert.ToBase64String(Content.AsSpan(0, Math.Min(Content.Length, 200)))}";
    }

    private static readonly Gen<string> Value = Gen.OneOf(
        Gen.Int[-5, 1000].Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        Gen.Int[0, 99999].Select(i => $"{i / 100}.{i % 100:D2}"),
        Gen.OneOf("open", "shipped", "cancelled", "lost", "", "NULL", "café", "a,b", "say \"hi\"", "line\nbreak", "1e309", "2024-02-30"),
        Gen.String[Gen.Char["a-z0-9 ,;\"'"], 0, 12]);

    private static readonly Gen<DroppedFile> RandomCsv =
        from product in Gen.Int[0, 1]
        from columns in Gen.Shuffle(Columns, 0, 6)
        from rows in Gen.Int[0, 25]
        from delimiter in Gen.OneOf(Delimiters)
        from quoteAll in Gen.Bool
        from unclosed in Gen.Int[0, 9]
        from encoding in Gen.OneOf(Encodings)
        from cells in Value.Array[rows * Math.Max(columns.Length, 1)]
        select new DroppedFile(product, $"csv {columns.Length} col(s) x {rows} row(s), '{delimiter}', quote-all {quoteAll}, {encoding}", Encode(Csv(columns, rows, delimiter, quoteAll, unclosed == 0, cells), encoding));

    // Well-formed orders with at most one cell replaced: reaches Published and QualityFailed, not only refusals.
    private static readonly Gen<DroppedFile> NearlyValidCsv =
        from product in Gen.Int[0, 1]
        from rows in Gen.Int[1, 20]
        from statuses in Gen.OneOf("open", "shipped", "cancelled").Array[rows]
        from mutate in Gen.Bool
        from cell in Gen.Int[0, (rows * 4) - 1]
        from value in Value
        select new DroppedFile(product, $"orders x {rows}, {(mutate ? $"cell {cell} = '{value}'" : "unchanged")}", Encode(Orders(statuses, mutate ? cell : -1, value), "utf-8"));

    private static readonly Gen<DroppedFile> RandomBytes =
        from product in Gen.Int[0, 1]
        from bytes in Gen.Byte.Array[0, 3000]
        select new DroppedFile(product, "random bytes", bytes);

    [Fact]
    public async Task Run_RandomBytesAndRandomCsvShapes_AlwaysEndsWithAnOutcomeAndAReasonAndFailuresPublishNothing()
    {
        // Arrange
        var mesh = await Mesh.GetAsync(azurite);
        var outcomes = new List<PipelineStatus>();

        // Act / Assert: each sample is one run; CsCheck shrinks and reports the seed of a failing one.
        await Gen.Frequency((2, RandomCsv), (2, NearlyValidCsv), (1, RandomBytes)).SampleAsync(
            async file =>
            {
                var product = Mesh.Products[file.Product];
                var store = new ReleaseStore(mesh.Storage.Products(product.Domain));
                var before = await store.ListReleasesAsync(product.Name, "1.0.0");
                var path = Path.Combine(product.Root, $"drop-{Guid.NewGuid():N}.csv");
                await File.WriteAllBytesAsync(path, file.Content);

                var result = await mesh.RunAsync(product.Id, [path], TimeSpan.FromSeconds(90));

                var after = await store.ListReleasesAsync(product.Name, "1.0.0");
                lock (outcomes)
                {
                    outcomes.Add(result.Status);
                }

                if (result.Status == PipelineStatus.Published)
                {
                    Assert.NotNull(result.Release);
                    Assert.Equal([.. before, result.Release.Value], after);
                }
                else
                {
                    Assert.True(result.Status is PipelineStatus.Failed or PipelineStatus.QualityFailed, $"unexpected status {result.Status}");
                    Assert.False(string.IsNullOrWhiteSpace(result.Error), "a run that did not publish gave no reason");
                    Assert.Null(result.Release);
                    Assert.Equal(before, after);
                }
            },
            iter: 40,
            threads: 1);

        // Assert: the generators reach both ends (a generator that only makes garbage proves little).
        var histogram = string.Join(", ", outcomes.GroupBy(o => o).Select(g => $"{g.Key}: {g.Count()}"));
        Assert.True(outcomes.Contains(PipelineStatus.Failed) && outcomes.Contains(PipelineStatus.Published), histogram);
    }

    private static string Csv(string[] columns, int rows, string delimiter, bool quoteAll, bool leaveQuoteOpen, string[] cells)
    {
        string Cell(string value) => quoteAll || value.Contains(delimiter, StringComparison.Ordinal) || value.Contains('"', StringComparison.Ordinal) || value.Contains('\n', StringComparison.Ordinal)
            ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
            : value;
        var text = new StringBuilder();
        text.Append(string.Join(delimiter, columns.Select(Cell))).Append('\n');
        for (var row = 0; row < rows; row++)
        {
            text.Append(string.Join(delimiter, columns.Select((_, c) => Cell(cells[(row * columns.Length) + c])))).Append('\n');
        }

        if (leaveQuoteOpen)
        {
            text.Append("\"never closed").Append(delimiter).Append("1\n");
        }

        return text.ToString();
    }

    private static string Orders(string[] statuses, int mutatedCell, string value)
    {
        var text = new StringBuilder("order_id,customer,amount,status\n");
        for (var row = 0; row < statuses.Length; row++)
        {
            string[] cells = [(row + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), $"customer-{row % 7}", $"{row * 3}.{row % 100:D2}", statuses[row]];
            if (mutatedCell >= 0 && mutatedCell / 4 == row)
            {
                cells[mutatedCell % 4] = value.Contains(',', StringComparison.Ordinal) || value.Contains('"', StringComparison.Ordinal) || value.Contains('\n', StringComparison.Ordinal)
                    ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
                    : value;
            }

            text.Append(string.Join(',', cells)).Append('\n');
        }

        return text.ToString();
    }

    private static byte[] Encode(string text, string encoding) => encoding switch
    {
        "utf-8-bom" => [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(text)],
        "latin-1" => Encoding.Latin1.GetBytes(text),
        "utf-16" => [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(text)],
        _ => Encoding.UTF8.GetBytes(text),
    };
}
