using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace DataMesh.Infra.Tests.Bicep;

/// <summary>
/// One long-lived <c>bicep jsonrpc --stdio</c> process: the CLI's own JSON-RPC interface (bicep/compile,
/// bicep/getSnapshot), so several compilations pay for the CLI's start-up and type loading once. Requests are sent one
/// at a time, framed with Content-Length headers.
/// </summary>
public sealed class BicepRpcClient : IAsyncDisposable
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromMinutes(3);

    private readonly Process _process;
    private readonly Stream _input;
    private readonly Stream _output;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private int _nextId;

    private BicepRpcClient(Process process)
    {
        _process = process;
        _input = process.StandardInput.BaseStream;
        _output = process.StandardOutput.BaseStream;
    }

    public static BicepRpcClient Start()
    {
        var start = new ProcessStartInfo(BicepCli.ExecutablePath)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("jsonrpc");
        start.ArgumentList.Add("--stdio");
        var process = Process.Start(start) ?? throw new InvalidOperationException("bicep jsonrpc did not start.");
        // Drain stderr so a chatty CLI can never block on a full pipe.
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        return new BicepRpcClient(process);
    }

    /// <summary>Compiles a .bicep file, as <c>bicep build</c> does, linter included.</summary>
    public async Task<BicepCompilation> CompileAsync(string path)
    {
        var result = await CallAsync("bicep/compile", new JsonObject { ["path"] = path });
        var diagnostics = (result["diagnostics"] as JsonArray ?? [])
            .OfType<JsonObject>()
            .Select(d => new BicepDiagnostic(
                d["source"]?.GetValue<string>() ?? path,
                (d["range"]?["start"]?["line"]?.GetValue<int>() ?? 0) + 1,
                (d["range"]?["start"]?["char"]?.GetValue<int>() ?? 0) + 1,
                d["level"]?.GetValue<string>() ?? "",
                d["code"]?.GetValue<string>() ?? "",
                d["message"]?.GetValue<string>() ?? ""))
            .ToList();
        return new BicepCompilation(path, result["success"]?.GetValue<bool>() == true, diagnostics, result["contents"]?.GetValue<string>());
    }

    /// <summary>The snapshot of a .bicepparam file, as <c>bicep snapshot</c> writes it.</summary>
    public async Task<string> SnapshotAsync(string parametersPath, string tenantId, string subscriptionId, string location)
    {
        var result = await CallAsync("bicep/getSnapshot", new JsonObject
        {
            ["path"] = parametersPath,
            ["metadata"] = new JsonObject { ["tenantId"] = tenantId, ["subscriptionId"] = subscriptionId, ["location"] = location },
        });
        return result["snapshot"]?.GetValue<string>() ?? throw new InvalidDataException("bicep/getSnapshot returned no snapshot.");
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _input.Close();
            using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(exit.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
        }
        finally
        {
            _process.Dispose();
            _gate.Dispose();
        }
    }

    private async Task<JsonObject> CallAsync(string method, JsonObject parameters)
    {
        await _gate.WaitAsync();
        try
        {
            var id = ++_nextId;
            var request = new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id, ["method"] = method, ["params"] = parameters };
            var body = Encoding.UTF8.GetBytes(request.ToJsonString());
            var header = Encoding.ASCII.GetBytes($"Content-Length: {body.Length}\r\n\r\n");
            using var timeout = new CancellationTokenSource(RequestTimeout);
            await _input.WriteAsync(header, timeout.Token);
            await _input.WriteAsync(body, timeout.Token);
            await _input.FlushAsync(timeout.Token);

            var response = JsonNode.Parse(await ReadMessageAsync(timeout.Token))?.AsObject()
                ?? throw new InvalidDataException($"{method}: empty response.");
            if (response["error"] is JsonObject error)
            {
                throw new InvalidOperationException($"{method} failed: {error["message"]} {error["data"]?["message"]}");
            }

            return response["result"] as JsonObject ?? throw new InvalidDataException($"{method}: no result in {response.ToJsonString()}");
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{method} did not answer within {RequestTimeout}.");
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<string> ReadMessageAsync(CancellationToken cancellationToken)
    {
        var length = -1;
        while (true)
        {
            var line = await ReadHeaderLineAsync(cancellationToken);
            if (line.Length == 0)
            {
                break;
            }

            var separator = line.IndexOf(':', StringComparison.Ordinal);
            if (separator > 0 && line[..separator].Trim().Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                length = int.Parse(line[(separator + 1)..].Trim(), CultureInfo.InvariantCulture);
            }
        }

        if (length < 0)
        {
            throw new InvalidDataException("A JSON-RPC message without Content-Length.");
        }

        var buffer = new byte[length];
        await _output.ReadExactlyAsync(buffer, cancellationToken);
        return Encoding.UTF8.GetString(buffer);
    }

    private async Task<string> ReadHeaderLineAsync(CancellationToken cancellationToken)
    {
        var line = new StringBuilder();
        var one = new byte[1];
        while (true)
        {
            if (await _output.ReadAsync(one, cancellationToken) == 0)
            {
                throw new EndOfStreamException("bicep jsonrpc closed its output.");
            }

            if (one[0] == '\n')
            {
                return line.ToString().TrimEnd('\r');
            }

            line.Append((char)one[0]);
        }
    }
}
