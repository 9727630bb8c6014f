using DataMesh.Local;
using DataMesh.Pipeline;
using DataMesh.Specs;
using Microsoft.Extensions.Logging;

namespace DataMesh.Cli;

/// <summary>What the commands that run the local mesh in-process share: starting it (its spec errors printed) and naming a product it does not serve.</summary>
internal static class CliMesh
{
    /// <summary>
    /// Starts the local mesh of the current directory; with <paramref name="interruptedBy"/> (e.g. "Ctrl+C in datamesh
    /// drop"), <paramref name="cancellationToken"/> cancels its runs too. Null when a spec is invalid: its diagnostics are
    /// printed and the command exits <see cref="ExitCodes.CheckFailed"/>.
    /// </summary>
    public static async Task<LocalMesh?> StartAsync(ILoggerFactory loggerFactory, string? interruptedBy, CancellationToken cancellationToken)
    {
        var options = interruptedBy is null
            ? new LocalMeshOptions { LoggerFactory = loggerFactory }
            : new LocalMeshOptions { LoggerFactory = loggerFactory, Interrupt = cancellationToken, InterruptedBy = interruptedBy };
        try
        {
            return await LocalMesh.StartAsync(options, cancellationToken).ConfigureAwait(false);
        }
        catch (SpecValidationException ex)
        {
            Diagnostics.Print(ex.Diagnostics);
            return null;
        }
    }

    /// <summary>True, with an error naming the products there are, when <paramref name="productId"/> is not under pipelines/ (the command exits <see cref="ExitCodes.UsageOrEnvironment"/>).</summary>
    public static async Task<bool> IsUnknownAsync(ProductRegistry products, string productId)
    {
        if (products.All.Any(p => p.Id == productId))
        {
            return false;
        }

        await Console.Error.WriteLineAsync($"error: no product '{productId}' under pipelines/ (known: {string.Join(", ", products.All.Select(p => p.Id))}).").ConfigureAwait(false);
        return true;
    }
}
