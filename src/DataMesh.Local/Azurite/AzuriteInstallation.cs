using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace DataMesh.Local.Azurite;

/// <summary>
/// Where the pinned Azurite and the Node.js that runs it are on this machine: a clone's
/// <c>node_modules</c> when the CLI or the tests run from one (installed with <c>npm ci</c> when missing),
/// else a user-level tools folder that npm fills once (DESIGN §8).
/// </summary>
public sealed class AzuriteInstallation
{
    /// <summary>The Azurite version <c>package.json</c> pins and the tools folder installs.</summary>
    public const string PinnedVersion = "3.37.0";

    /// <summary>The <c>name</c> in this repository's <c>package.json</c>: only there is <c>npm ci</c> run.</summary>
    private const string RepositoryPackageName = "datamesh-functions";

    private static readonly string ScriptRelativePath = Path.Combine("node_modules", "azurite", "dist", "src", "azurite.js");

    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(10);

    private AzuriteInstallation(string nodePath, string scriptPath)
    {
        NodePath = nodePath;
        ScriptPath = scriptPath;
    }

    /// <summary>Full path of the <c>node</c> executable.</summary>
    public string NodePath { get; }

    /// <summary>Full path of <c>azurite.js</c>, run directly by node so the server's process id is ours.</summary>
    public string ScriptPath { get; }

    /// <summary>
    /// Finds Azurite, installing it when needed: first in the current directory and its parents, then next
    /// to the running program and its parents, then in the user-level tools folder.
    /// </summary>
    /// <exception cref="InvalidOperationException">Node.js or npm is missing, or npm failed.</exception>
    public static async Task<AzuriteInstallation> FindOrInstallAsync(AzuriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new AzuriteOptions();
        var node = FindExecutable("node")
            ?? throw new InvalidOperationException(MissingNodeMessage("node"));

        foreach (var directory in CandidateRoots())
        {
            var script = Path.Combine(directory, ScriptRelativePath);
            if (File.Exists(script))
            {
                AzuriteLog.UsingInstallation(options.Logger, script);
                return new AzuriteInstallation(node, script);
            }

            if (IsRepositoryRoot(directory))
            {
                await InstallInRepositoryAsync(directory, options, cancellationToken).ConfigureAwait(false);
                AzuriteLog.UsingInstallation(options.Logger, script);
                return new AzuriteInstallation(node, script);
            }
        }

        var installed = await InstallIntoToolsAsync(options, cancellationToken).ConfigureAwait(false);
        AzuriteLog.UsingInstallation(options.Logger, installed);
        return new AzuriteInstallation(node, installed);
    }

    /// <summary>The user-level tools folder: <c>~/.datamesh/tools</c> unless the options say otherwise.</summary>
    public static string DefaultToolsDirectory() =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".datamesh", "tools");

    private static IEnumerable<string> CandidateRoots()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                if (seen.Add(directory.FullName))
                {
                    yield return directory.FullName;
                }
            }
        }
    }

    /// <summary>True for a clone of this repository: its package.json pins azurite and has a lock to install from.</summary>
    private static bool IsRepositoryRoot(string directory)
    {
        var packageJson = Path.Combine(directory, "package.json");
        if (!File.Exists(packageJson) || !File.Exists(Path.Combine(directory, "package-lock.json")))
        {
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(packageJson));
            var root = document.RootElement;
            return root.TryGetProperty("name", out var name)
                && name.ValueKind == JsonValueKind.String
                && name.GetString() == RepositoryPackageName
                && (PinsAzurite(root, "devDependencies") || PinsAzurite(root, "dependencies"));
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool PinsAzurite(JsonElement root, string section) =>
        root.TryGetProperty(section, out var dependencies)
        && dependencies.ValueKind == JsonValueKind.Object
        && dependencies.TryGetProperty("azurite", out _);

    private static async Task InstallInRepositoryAsync(string directory, AzuriteOptions options, CancellationToken cancellationToken)
    {
        var toolsDirectory = options.ToolsDirectory ?? DefaultToolsDirectory();
        var lockPath = Path.Combine(toolsDirectory, $"npm-ci-{Fingerprint(directory)}.lock");
        using var installLock = await ExclusiveLockFile.AcquireAsync(lockPath, InstallTimeout, cancellationToken).ConfigureAwait(false);
        if (File.Exists(Path.Combine(directory, ScriptRelativePath)))
        {
            return;
        }

        AzuriteLog.InstallingInClone(options.Logger, directory);
        await RunNpmAsync(directory, ["ci", "--no-audit", "--no-fund"], cancellationToken).ConfigureAwait(false);
        if (!File.Exists(Path.Combine(directory, ScriptRelativePath)))
        {
            throw new InvalidOperationException(
                $"'npm ci' in {directory} succeeded but {ScriptRelativePath} is still missing: check that package.json pins azurite {PinnedVersion}.");
        }
    }

    private static async Task<string> InstallIntoToolsAsync(AzuriteOptions options, CancellationToken cancellationToken)
    {
        var toolsDirectory = options.ToolsDirectory ?? DefaultToolsDirectory();
        var target = Path.Combine(toolsDirectory, $"azurite-{PinnedVersion}");
        var script = Path.Combine(target, ScriptRelativePath);
        if (File.Exists(script))
        {
            return script;
        }

        using var installLock = await ExclusiveLockFile.AcquireAsync(target + ".lock", InstallTimeout, cancellationToken).ConfigureAwait(false);
        if (File.Exists(script))
        {
            return script;
        }

        // Install beside the target and rename it into place, so an install killed halfway never looks complete.
        AzuriteLog.InstallingIntoTools(options.Logger, PinnedVersion, target);
        var staging = $"{target}.staging-{Environment.ProcessId}";
        DeleteDirectory(staging);
        Directory.CreateDirectory(staging);
        await RunNpmAsync(staging, ["install", $"azurite@{PinnedVersion}", "--prefix", staging, "--no-audit", "--no-fund"], cancellationToken).ConfigureAwait(false);
        if (!File.Exists(Path.Combine(staging, ScriptRelativePath)))
        {
            throw new InvalidOperationException($"npm installed azurite@{PinnedVersion} into {staging} but {ScriptRelativePath} is missing there.");
        }

        DeleteDirectory(target);
        Directory.Move(staging, target);
        return script;
    }

    private static async Task RunNpmAsync(string workingDirectory, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var npm = FindExecutable("npm") ?? throw new InvalidOperationException(MissingNodeMessage("npm"));
        var startInfo = new ProcessStartInfo(npm)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        startInfo.Environment["npm_config_update_notifier"] = "false";
        startInfo.Environment["npm_config_progress"] = "false";

        using var process = Process.Start(startInfo)
            ?? throw new InvalidOperationException($"Could not start {npm}.");
        process.StandardInput.Close();
        var standardOutput = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var standardError = process.StandardError.ReadToEndAsync(CancellationToken.None);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(InstallTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            throw new TimeoutException($"'npm {string.Join(' ', arguments)}' in {workingDirectory} did not finish within {InstallTimeout.TotalMinutes:0} minutes.");
        }

        if (process.ExitCode != 0)
        {
            var output = new StringBuilder()
                .AppendLine(await standardOutput.ConfigureAwait(false))
                .AppendLine(await standardError.ConfigureAwait(false))
                .ToString()
                .Trim();
            throw new InvalidOperationException(
                $"'npm {string.Join(' ', arguments)}' in {workingDirectory} failed with exit code {process.ExitCode}. " +
                $"Fix the cause below and retry, or set DATAMESH_STORAGE to a storage connection string to skip Azurite.{Environment.NewLine}{output}");
        }
    }

    private static string MissingNodeMessage(string executable) =>
        $"'{executable}' was not found on PATH. The local mesh runs Azurite {PinnedVersion} on Node.js: install Node.js 22 or later " +
        "with npm (https://nodejs.org, or e.g. 'apt-get install nodejs npm'), make sure 'node' and 'npm' are on PATH, and retry. " +
        "Alternatively set DATAMESH_STORAGE to a storage connection string to use instead of Azurite.";

    private static string? FindExecutable(string name)
    {
        var names = OperatingSystem.IsWindows() ? new[] { name + ".exe", name + ".cmd" } : new[] { name };
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var directory in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (var candidate in names)
            {
                var full = Path.Combine(directory.Trim('"'), candidate);
                if (File.Exists(full))
                {
                    return full;
                }
            }
        }

        return null;
    }

    private static string Fingerprint(string directory) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(directory)))[..16];

    private static void DeleteDirectory(string directory)
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
