using System.Reflection;

namespace DataMesh.Governance;

/// <summary>
/// A new mesh (<c>datamesh init</c>): <c>pipelines/mesh.yaml</c> with the baseline policies, and the editor JSON schemas
/// under <c>schemas/</c> that the <c>$schema</c> lines of <c>mesh.yaml</c> and of scaffolded products point at, so a mesh
/// outside a clone of this repository gets completion and checks in the editor too.
/// </summary>
/// <remarks>
/// The baseline is the repository's own <c>pipelines/mesh.yaml</c>, embedded at build time: the sample mesh and a new
/// mesh are held to the same policies, and a mesh without <c>mesh.yaml</c> is held to them too.
/// </remarks>
public static class MeshScaffold
{
    private const string ResourcePrefix = "DataMesh.Governance.Baseline/";

    /// <summary>The folder, beside <c>pipelines/</c>, that holds the editor schemas.</summary>
    public const string SchemasFolder = "schemas";

    /// <summary>The schema files written under <see cref="SchemasFolder"/>.</summary>
    public static IReadOnlyList<string> SchemaFiles { get; } = ["mesh.schema.json", "product.schema.json"];

    private static readonly Lazy<MeshPolicies> Baseline = new(() =>
    {
        var result = MeshPoliciesLoader.Parse(BaselineText, "(built-in baseline mesh.yaml)");
        return result.Policies ?? throw new InvalidOperationException("The built-in baseline mesh.yaml does not load: " + string.Join("; ", result.Diagnostics));
    });

    /// <summary>The text of the baseline <c>mesh.yaml</c>.</summary>
    public static string BaselineText => Resource("mesh.yaml");

    internal static MeshPolicies BaselinePolicies => Baseline.Value;

    /// <summary>
    /// Writes <c>pipelines/mesh.yaml</c> and <c>schemas/*.schema.json</c> under <paramref name="meshRoot"/>; returns the
    /// files written, relative to it. A file already there is kept (its path is not returned) unless <paramref name="force"/>.
    /// </summary>
    public static IReadOnlyList<string> Write(string meshRoot, bool force = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(meshRoot);
        var written = new List<string>();
        void Put(string relative, string text)
        {
            var path = Path.Combine(meshRoot, relative);
            if (File.Exists(path) && !force)
            {
                return;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, text);
            written.Add(relative.Replace('\\', '/'));
        }

        Put(Path.Combine("pipelines", MeshPoliciesLoader.MeshFileName), BaselineText);
        foreach (var schema in SchemaFiles)
        {
            Put(Path.Combine(SchemasFolder, schema), Resource(schema));
        }

        return written;
    }

    private static string Resource(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(ResourcePrefix + name)
            ?? throw new InvalidOperationException($"The resource {ResourcePrefix}{name} is missing from {Assembly.GetExecutingAssembly().GetName().Name}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
