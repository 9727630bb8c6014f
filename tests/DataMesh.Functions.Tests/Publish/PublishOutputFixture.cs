using System.Diagnostics;
using System.Reflection;
using System.Text;

namespace DataMesh.Functions.Tests.Publish;

/// <summary>
/// Publishes <c>src/DataMesh.Functions</c> once into a temporary folder for every test that inspects the
/// deployment package, and deletes it afterwards.
/// </summary>
public sealed class PublishOutputFixture : IAsyncLifetime
{
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(15);

    // Debug or Release: the configuration these tests (and so the referenced app) were built in.
    private static readonly string Configuration =
        typeof(PublishOutputFixture).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";

    /// <summary>Where the package is: the folder azd zips and uploads (dotnet publish with the project's own settings).</summary>
    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "datamesh-functions-publish-" + Guid.NewGuid().ToString("N")[..8]);

    /// <summary>How long <c>dotnet publish</c> took.</summary>
    public TimeSpan Elapsed { get; private set; }

    public async Task InitializeAsync()
    {
        var project = RepositoryRoot.Combine("src", "DataMesh.Functions", "DataMesh.Functions.csproj");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = RepositoryRoot.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // The test project references the app, so the app is built already in this configuration: publish that
        // build instead of rebuilding it while other test projects may be running. No build server or node reuse:
        // a process left behind would hold the output pipes open.
        foreach (var argument in new[] { "publish", project, "-c", Configuration, "--no-build", "-o", Directory, "-nodeReuse:false", "-p:UseSharedCompilation=false", "-nologo" })
        {
            start.ArgumentList.Add(argument);
        }

        // The test host inherits the outer build's MSBuild variables; the inner build must choose its own.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";

        var stopwatch = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet publish did not start.");
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(PublishTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet publish did not finish within {PublishTimeout}:\n{Tail(output)}");
        }

        Elapsed = stopwatch.Elapsed;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet publish failed with exit code {process.ExitCode}:\n{Tail(output)}");
        }
    }

    public Task DisposeAsync()
    {
        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }

        return Task.CompletedTask;
    }

    public string PathOf(params string[] parts) => Path.Combine([Directory, .. parts]);

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private static string Tail(StringBuilder output)
    {
        lock (output)
        {
            var text = output.ToString();
            return text.Length <= 6000 ? text : "..." + text[^6000..];
        }
    }
}
