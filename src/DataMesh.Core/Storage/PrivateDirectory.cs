namespace DataMesh.Storage;

/// <summary>
/// A local folder only this OS user may enter: where readers keep copies of releases that may be restricted, where runs
/// and compactions keep rows in clear, and where entries are reused across processes by name (a folder others could
/// write into would let them plant an entry). On Unix it is created 0700, and an existing one open to group or others
/// is closed (this user owns it, as an earlier version of the platform made it) or refused (another user's folder
/// under a shared temp path, or a shared sticky folder such as the temp path itself).
/// </summary>
public static class PrivateDirectory
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private const UnixFileMode GroupOrOthers =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>Creates <paramref name="path"/> (and its parents) if missing, entered by this user only.</summary>
    /// <exception cref="UnauthorizedAccessException">The folder exists, is open to others and is not this user's to close.</exception>
    public static void Ensure(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (OperatingSystem.IsWindows())
        {
            // Under the user's own profile (%TEMP%), which other users cannot enter.
            Directory.CreateDirectory(path);
            return;
        }

        Directory.CreateDirectory(path, OwnerOnly);
        var mode = File.GetUnixFileMode(path);
        if ((mode & GroupOrOthers) == 0)
        {
            return;
        }

        // A sticky folder (the temp path itself, /tmp) is shared by design: closing it would break every other user.
        if ((mode & UnixFileMode.StickyBit) != 0)
        {
            throw new UnauthorizedAccessException($"{path} is a folder shared by all users (sticky, like the temp path): it cannot hold this user's private files. Point the setting at a folder of its own inside it.");
        }

        try
        {
            File.SetUnixFileMode(path, OwnerOnly);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new UnauthorizedAccessException(
                $"{path} is open to other users and belongs to another one: it cannot hold this user's private files (copies of releases, run scratch). Remove it, or point the setting elsewhere.",
                ex);
        }
    }
}
