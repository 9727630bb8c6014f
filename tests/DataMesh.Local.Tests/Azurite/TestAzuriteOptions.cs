using DataMesh.Local.Azurite;

namespace DataMesh.Local.Tests.Azurite;

/// <summary>Options for the Azurites these tests start: several start at once, so allow a slow start.</summary>
internal static class TestAzuriteOptions
{
    public static AzuriteOptions Create() => new() { StartTimeout = TimeSpan.FromSeconds(90) };
}
