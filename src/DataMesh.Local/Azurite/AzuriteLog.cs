using Microsoft.Extensions.Logging;

namespace DataMesh.Local.Azurite;

/// <summary>Log messages of the embedded Azurite.</summary>
internal static partial class AzuriteLog
{
    [LoggerMessage(EventId = 4100, Level = LogLevel.Information, Message = "Installing Azurite with npm ci in {Directory}")]
    public static partial void InstallingInClone(ILogger logger, string directory);

    [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "Installing Azurite {Version} into {Directory} (once per machine)")]
    public static partial void InstallingIntoTools(ILogger logger, string version, string directory);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Debug, Message = "Using Azurite at {ScriptPath}")]
    public static partial void UsingInstallation(ILogger logger, string scriptPath);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Information, Message = "Started Azurite (pid {ProcessId}) on blob {BlobPort}, queue {QueuePort}, table {TablePort} in {ElapsedMilliseconds} ms")]
    public static partial void Started(ILogger logger, int processId, int blobPort, int queuePort, int tablePort, long elapsedMilliseconds);

    [LoggerMessage(EventId = 4104, Level = LogLevel.Warning, Message = "Azurite could not bind its ports (attempt {Attempt}); retrying on other free ports")]
    public static partial void PortRace(ILogger logger, int attempt);

    [LoggerMessage(EventId = 4105, Level = LogLevel.Information, Message = "Attached to the running Azurite (pid {ProcessId}) recorded in {StateFile}")]
    public static partial void Attached(ILogger logger, int processId, string stateFile);

    [LoggerMessage(EventId = 4106, Level = LogLevel.Information, Message = "Replacing stale Azurite record {StateFile} (pid {ProcessId} is gone or does not answer)")]
    public static partial void ReplacingStale(ILogger logger, string stateFile, int processId);

    [LoggerMessage(EventId = 4107, Level = LogLevel.Information, Message = "Stopped Azurite (pid {ProcessId})")]
    public static partial void Stopped(ILogger logger, int processId);

    [LoggerMessage(EventId = 4108, Level = LogLevel.Information, Message = "The mesh's storage listens on blob {BlobPort}, queue {QueuePort}, table {TablePort} from now on (kept in {PortsFile})")]
    public static partial void PortsChosen(ILogger logger, int blobPort, int queuePort, int tablePort, string portsFile);

    [LoggerMessage(EventId = 4109, Level = LogLevel.Warning, Message = "The mesh's storage ports {BlobPort}/{QueuePort}/{TablePort} (kept in {PortsFile}) are taken by another program, so Azurite runs on {ActualBlob}/{ActualQueue}/{ActualTable} this time: release locations recorded now point there and stop working when it stops. Stop the other program and restart the mesh, or delete {PortsFile} to choose new ports")]
    public static partial void PortsTaken(ILogger logger, int blobPort, int queuePort, int tablePort, string portsFile, int actualBlob, int actualQueue, int actualTable);
}
