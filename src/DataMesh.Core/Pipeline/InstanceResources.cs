namespace DataMesh.Pipeline;

/// <summary>What the host a run works on has: memory, cores and free disk under the run's work folder.</summary>
/// <param name="MemoryBytes">Memory of the instance (Azure: <see cref="PipelineOptions.InstanceMemoryMB"/>) or of the machine.</param>
/// <param name="ProcessorCount">Cores the process may use.</param>
/// <param name="FreeDiskBytes">Free disk where runs spill (<see cref="PipelineOptions.WorkDirectory"/>); null when unknown.</param>
/// <param name="IsInstance">True when <paramref name="MemoryBytes"/> is a Functions instance's (the app setting), false for a machine's.</param>
public sealed record InstanceResources(long MemoryBytes, int ProcessorCount, long? FreeDiskBytes, bool IsInstance)
{
    /// <summary>
    /// This process's host: the instance size the options name (<c>DataMesh__Pipeline__InstanceMemoryMB</c>, set from
    /// the Bicep's <c>instanceMemoryMB</c>), else the memory the runtime sees, which honours a container's cgroup limit
    /// (<see cref="GC.GetGCMemoryInfo()"/>).
    /// </summary>
    public static InstanceResources Of(PipelineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var instance = options.InstanceMemoryMB > 0;
        var memory = instance ? options.InstanceMemoryMB * EngineLimits.Megabyte : GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        return new InstanceResources(memory, Environment.ProcessorCount, FreeDisk(options.WorkDirectory), instance);
    }

    /// <summary>Free disk of the volume holding <paramref name="folder"/> (or its nearest existing parent).</summary>
    private static long? FreeDisk(string folder)
    {
        try
        {
            var existing = Path.GetFullPath(folder);
            while (!Directory.Exists(existing) && Path.GetDirectoryName(existing) is { } parent)
            {
                existing = parent;
            }

            return new DriveInfo(existing).AvailableFreeSpace;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }
}
