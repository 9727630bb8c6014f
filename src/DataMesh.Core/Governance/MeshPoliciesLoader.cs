using DataMesh.Specs;

namespace DataMesh.Governance;

/// <summary>
/// Loads <c>pipelines/mesh.yaml</c>, the mesh-wide governance (DESIGN §4): which policies are enforced, at what
/// severity, with which parameters, and the exemptions granted. Strict: every problem is reported with
/// file, line, column and a code (DM20xx).
/// </summary>
public static class MeshPoliciesLoader
{
    /// <summary>The mesh file's name, beside the domain folders.</summary>
    public const string MeshFileName = "mesh.yaml";

    /// <summary>Loads the mesh file at <paramref name="path"/>.</summary>
    /// <exception cref="SpecValidationException">The file has errors; every one found is listed.</exception>
    public static MeshPolicies Load(string path)
    {
        var result = Read(path);
        return result.Policies ?? throw new SpecValidationException(result.Diagnostics);
    }

    /// <summary>Reads the mesh file at <paramref name="path"/>: the policies when it has no errors, and every diagnostic.</summary>
    public static MeshPoliciesLoadResult Read(string path)
    {
        var fullPath = Path.GetFullPath(path);
        var sink = new DiagnosticSink(DisplayPath.For(fullPath), MeshPoliciesReader.Codes);
        string text;
        try
        {
            text = File.ReadAllText(fullPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            sink.ErrorAtStart(PolicyDiagnosticCodes.MeshFileNotFound, $"cannot read the mesh file: {ex.Message}");
            return new MeshPoliciesLoadResult(null, sink.Diagnostics);
        }

        return Parse(text, sink);
    }

    /// <summary>Reads mesh policies from <paramref name="text"/>, reporting against <paramref name="file"/>.</summary>
    public static MeshPoliciesLoadResult Parse(string text, string file)
    {
        var sink = new DiagnosticSink(file, MeshPoliciesReader.Codes);
        return Parse(text, sink);
    }

    /// <summary>
    /// The mesh file that governs <paramref name="path"/>: <c>mesh.yaml</c> in that folder or the nearest folder above
    /// it, stopping at a repository root (a folder holding <c>.git</c>); null when there is none.
    /// </summary>
    public static string? Find(string path)
    {
        var full = Path.GetFullPath(path);
        for (var directory = Directory.Exists(full) ? new DirectoryInfo(full) : new FileInfo(full).Directory; directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, MeshFileName);
            if (File.Exists(candidate))
            {
                return candidate;
            }

            var nested = Path.Combine(directory.FullName, "pipelines", MeshFileName);
            if (File.Exists(nested))
            {
                return nested;
            }

            if (Directory.Exists(Path.Combine(directory.FullName, ".git")))
            {
                return null;
            }
        }

        return null;
    }

    private static MeshPoliciesLoadResult Parse(string text, DiagnosticSink sink)
    {
        var root = YamlDocumentParser.ParseRootMapping(text, sink, "mesh file");
        if (root is null)
        {
            return new MeshPoliciesLoadResult(null, sink.Diagnostics);
        }

        var reader = new MeshPoliciesReader(sink);
        reader.Read(root);
        var diagnostics = sink.Diagnostics.OrderBy(d => d.Line).ThenBy(d => d.Column).ToList();
        if (sink.HasErrors)
        {
            return new MeshPoliciesLoadResult(null, diagnostics);
        }

        return new MeshPoliciesLoadResult(
            new MeshPolicies { File = sink.File, Policies = reader.Policies, Exemptions = reader.Exemptions },
            diagnostics);
    }
}
