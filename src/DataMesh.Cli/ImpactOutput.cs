using DataMesh.Governance;
using DataMesh.Specs;

namespace DataMesh.Cli;

/// <summary>The consumer-impact report as <c>impact</c> and <c>diff</c> print it (<c>--json</c> too), and the mesh around a product folder.</summary>
internal static class ImpactOutput
{
    /// <summary>The report as the JSON <c>--json</c> prints.</summary>
    public static object Json(ConsumerImpactReport report) => new
    {
        product = report.ProductId,
        oldVersion = report.Diff.OldVersion,
        newVersion = report.Diff.NewVersion,
        required = report.Diff.Required.ToString().ToLowerInvariant(),
        consumers = report.Consumers.Select(Consumer),
        changes = report.Changes.Select(c => new
        {
            kind = c.Change.Kind.ToString(),
            bump = c.Change.Bump.ToString().ToLowerInvariant(),
            @object = c.Change.Object,
            property = c.Change.Property,
            description = c.Change.Description,
            readByNone = c.ReadByNone,
            readers = c.Readers.Select(Read),
        }),
        pinned = report.Pinned.Select(Consumer),
        otherBreaks = report.OtherBreaks.Select(Read),
        notJudged = report.NotJudged.Select(n => new { n.Consumer.Consumer, n.Consumer.Input, n.Consumer.Range, n.Reason }),
        broken = report.Breaks.Count,
    };

    /// <summary>
    /// The products of the mesh <paramref name="productDirectory"/> belongs to: those under the nearest folder above it
    /// that holds a <c>mesh.yaml</c> or is named <c>pipelines</c>; just the product when there is none. Folders that do
    /// not load are left out (validate reports them).
    /// </summary>
    public static IReadOnlyList<ProductSpec> MeshAround(string productDirectory)
    {
        var root = productDirectory;
        for (var directory = Directory.GetParent(Path.GetFullPath(productDirectory)); directory is not null; directory = directory.Parent)
        {
            if (directory.Name == "pipelines" || File.Exists(Path.Combine(directory.FullName, "mesh.yaml")))
            {
                root = directory.FullName;
                break;
            }
        }

        return Products(root);
    }

    /// <summary>Every product under <paramref name="root"/> that loads.</summary>
    public static IReadOnlyList<ProductSpec> Products(string root) =>
        ProductSpecLoader.FindProductDirectories(root).Select(ProductSpecLoader.Read).Select(r => r.Spec).OfType<ProductSpec>().ToList();

    private static object Consumer(ConsumerInput c) => new { c.Consumer, c.Input, c.Range };

    private static object Read(ColumnRead r) => new
    {
        r.Consumer.Consumer, r.Consumer.Input, r.Consumer.Range, r.File, r.Line, r.Column, r.Detail, r.InNewRange, r.Breaks,
    };
}
