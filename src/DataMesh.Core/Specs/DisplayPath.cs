namespace DataMesh.Specs;

/// <summary>How a file is named in diagnostics: relative to the working directory when it lies below it, else absolute.</summary>
internal static class DisplayPath
{
    public static string For(string fullPath)
    {
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, fullPath);
        var outside = relative == ".."
            || relative.StartsWith(".." + Path.DirectorySeparatorChar, StringComparison.Ordinal)
            || relative.StartsWith("../", StringComparison.Ordinal)
            || Path.IsPathRooted(relative);
        return outside ? fullPath : relative;
    }
}
