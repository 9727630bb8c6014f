using System.Security.Cryptography;

namespace DataMesh.Local.Azurite;

/// <summary>
/// The keys of a local mesh's storage accounts: one file per account in a folder only its owner can read (under the
/// mesh's state folder), each key random and made on first use, never Azurite's published development key. Azurite
/// serves exactly these accounts (<c>AZURITE_ACCOUNTS</c>), and learns an account added while it runs (a new domain)
/// from the same folder.
/// </summary>
public sealed class AzuriteAccountKeys
{
    /// <summary>The folder name under a mesh's state folder.</summary>
    public const string FolderName = "storage-keys";

    public AzuriteAccountKeys(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory = Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(Directory);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(Directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    public string Directory { get; }

    /// <summary>The account's key (Base64), made and stored on first use; the first process to store it wins.</summary>
    public string KeyOf(string account)
    {
        ArgumentException.ThrowIfNullOrEmpty(account);
        if (account.Length is < 3 or > 24 || account.Any(c => !char.IsAsciiLetterLower(c) && !char.IsAsciiDigit(c)))
        {
            throw new ArgumentException($"'{account}' is not a storage account name (3-24 lowercase letters and digits).", nameof(account));
        }

        var path = Path.Combine(Directory, account);
        if (!File.Exists(path))
        {
            var temp = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}";
            File.WriteAllText(temp, Convert.ToBase64String(RandomNumberGenerator.GetBytes(64)));
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            try
            {
                File.Move(temp, path, overwrite: false);
            }
            catch (IOException)
            {
                // Another process stored it first: use theirs.
                File.Delete(temp);
            }
        }

        return File.ReadAllText(path).Trim();
    }

    /// <summary>The <c>AZURITE_ACCOUNTS</c> value for every stored account: <c>name:key;name:key</c>.</summary>
    public string AzuriteAccountsValue() => string.Join(';', System.IO.Directory.EnumerateFiles(Directory)
        .Select(Path.GetFileName)
        .Where(name => name is { Length: >= 3 and <= 24 } && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c)))
        .Order(StringComparer.Ordinal)
        .Select(name => $"{name}:{File.ReadAllText(Path.Combine(Directory, name!)).Trim()}"));
}
