using DataMesh.Specs;

namespace DataMesh.Cli;

/// <summary>Prints spec diagnostics to stderr in the compiler format editors understand.</summary>
internal static class Diagnostics
{
    public static void Print(IEnumerable<SpecDiagnostic> diagnostics)
    {
        foreach (var diagnostic in diagnostics)
        {
            Console.Error.WriteLine(diagnostic.ToString());
        }
    }
}
