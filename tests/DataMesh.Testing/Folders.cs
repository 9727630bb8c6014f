namespace DataMesh.Testing;

/// <summary>Folder copies the tests arrange with (a sample mesh into a scratch folder).</summary>
public static class Folders
{
    /// <summary>
    /// Copies every file under <paramref name="source"/> to the same relative path under <paramref name="destination"/>
    /// (folders created; an existing file is an error), or only those <paramref name="include"/> accepts (by full path).
    /// </summary>
    public static void Copy(string source, string destination, Func<string, bool>? include = null)
    {
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            if (include is not null && !include(file))
            {
                continue;
            }

            var target = Path.Combine(destination, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
