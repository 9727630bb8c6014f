using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DataMesh.Local.Azurite;

/// <summary>How an embedded Azurite is found, installed and started.</summary>
public sealed class AzuriteOptions
{
    /// <summary>
    /// Folder Azurite persists its blobs, queues and tables in; null keeps everything in memory, lost when
    /// the process stops. Ignored by <see cref="AzuriteServer.AttachOrStartAsync"/>, which always persists
    /// under its state directory.
    /// </summary>
    public string? DataDirectory { get; set; }

    /// <summary>
    /// When set, Azurite writes its debug log to this file and prints its access log; otherwise it runs
    /// with <c>--silent</c>.
    /// </summary>
    public string? DebugLogPath { get; set; }

    /// <summary>How long to wait for the blob, queue and table services to answer after the start.</summary>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// User-level folder the pinned Azurite is installed into when no clone's <c>node_modules</c> has it;
    /// defaults to <c>~/.datamesh/tools</c>.
    /// </summary>
    public string? ToolsDirectory { get; set; }

    /// <summary>
    /// The accounts Azurite serves, with their keys (the hub's and each domain's); null serves only Azurite's development
    /// account. <see cref="AzuriteServer.AttachOrStartAsync"/> always uses the state folder's <c>storage-keys</c>.
    /// </summary>
    public AzuriteAccountKeys? AccountKeys { get; set; }

    /// <summary>Receives progress (npm installs, starts, attaches); silent by default.</summary>
    public ILogger Logger { get; set; } = NullLogger.Instance;
}
