using DataMesh.Functions.Configuration;
using DataMesh.Pipeline;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DataMesh.Functions.Tests.Configuration;

/// <summary>
/// The app settings path of the DuckDB limits (issue 20 item 3): the Bicep passes the plan's instanceMemoryMB as
/// <c>DataMesh__Pipeline__InstanceMemoryMB</c>, the runs' limits derive from it, an explicit limit still wins.
/// </summary>
public sealed class EngineLimitsSettingsTests
{
    [Fact]
    public void AddDataMesh_InstanceMemoryMBSetting_RunsGetTheLimitsOfThatInstance()
    {
        using var services = AppSettings.Compose(new Dictionary<string, string?>(AppSettings.Azure) { ["DataMesh:Pipeline:InstanceMemoryMB"] = "4096" });

        var limits = services.GetRequiredService<PipelineRuntime>().EngineLimits;

        // (4096 - 300 Functions host - 400 worker) x 0.75, less two sessions outside runs of 128 MiB, whatever the machine.
        Assert.Equal("2291MiB", limits.MemoryLimit);
        Assert.Contains("instance of 4096 MB", limits.Source, StringComparison.Ordinal);
    }

    [Fact]
    public void AddDataMesh_MemoryLimitSetting_WinsOverTheInstanceSize()
    {
        using var services = AppSettings.Compose(new Dictionary<string, string?>(AppSettings.Azure)
        {
            ["DataMesh:Pipeline:InstanceMemoryMB"] = "4096",
            ["DataMesh:Pipeline:MemoryLimit"] = "700MB",
            ["DataMesh:Pipeline:Threads"] = "1",
        });

        var limits = services.GetRequiredService<PipelineRuntime>().EngineLimits;

        Assert.Equal(("700MB", 1), (limits.MemoryLimit, limits.Threads));
    }

    [Theory]
    [InlineData("100")]
    [InlineData("-1")]
    public void AddDataMesh_InstanceMemoryMBNotAnInstanceSize_FailsNamingTheSetting(string value)
    {
        using var services = AppSettings.Compose(new Dictionary<string, string?>(AppSettings.Azure) { ["DataMesh:Pipeline:InstanceMemoryMB"] = value });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<DataMeshAppOptions>>().Value);

        Assert.Contains(error.Failures, f => f.Contains($"DataMesh__Pipeline__InstanceMemoryMB '{value}'", StringComparison.Ordinal));
    }

    [Fact]
    public void AddDataMesh_ThreadsSetToZero_FailsNamingTheSetting()
    {
        using var services = AppSettings.Compose(new Dictionary<string, string?>(AppSettings.Azure) { ["DataMesh:Pipeline:Threads"] = "0" });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<DataMeshAppOptions>>().Value);

        Assert.Contains(error.Failures, f => f.Contains("DataMesh__Pipeline__Threads", StringComparison.Ordinal));
    }
}
