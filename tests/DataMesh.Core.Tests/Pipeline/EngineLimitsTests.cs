using DataMesh.Engine;
using DataMesh.Pipeline;

namespace DataMesh.Core.Tests.Pipeline;

/// <summary>
/// The DuckDB limits derive from the instance, not a fixed figure (issue 20 item 3): headroom for the Functions host and
/// the .NET worker, DuckDB's share of the rest, threads by cores and memory, the spill cap by free disk; set ones win.
/// </summary>
public sealed class EngineLimitsTests
{
    private const long GiB = 1024L * 1024 * 1024;

    [Fact]
    public void Derive_FlexInstanceOf2048MB_LeavesTheHostsTheirHeadroom()
    {
        var limits = EngineLimits.Derive(new PipelineOptions(), new InstanceResources(2048 * EngineLimits.Megabyte, 2, 100 * GiB, IsInstance: true));

        // (2048 - 300 Functions host - 400 worker) x 0.75 = 1011, less two sessions outside runs of 1011 / 8 = 126
        Assert.Equal("759MiB", limits.MemoryLimit);
        Assert.Equal(2, limits.Threads);
        Assert.Equal("10240MiB", limits.MaxSpillSize);
        Assert.Contains("instance of 2048 MB", limits.Source, StringComparison.Ordinal);
    }

    [Fact]
    public void Derive_FlexInstanceOf4096MB_GivesDuckDbTheLargerInstance()
    {
        var limits = EngineLimits.Derive(new PipelineOptions(), new InstanceResources(4096 * EngineLimits.Megabyte, 8, 100 * GiB, IsInstance: true));

        // (4096 - 700) x 0.75 = 2547, less two sessions outside runs of 128; threads capped at 4
        Assert.Equal("2291MiB", limits.MemoryLimit);
        Assert.Equal(EngineLimits.MaxThreads, limits.Threads);
    }

    [Fact]
    public void Derive_LargeMachine_ActsAsTheDefaultInstanceWithoutAFunctionsHost()
    {
        var limits = EngineLimits.Derive(new PipelineOptions(), new InstanceResources(32 * GiB, 16, 100 * GiB, IsInstance: false));

        // A 32 GB laptop is sized as a 2048 MB instance: (2048 - 400 worker) x 0.75 = 1236, less 2 x 128; 980 / 256 threads.
        Assert.Equal("980MiB", limits.MemoryLimit);
        Assert.Equal(3, limits.Threads);
    }

    [Fact]
    public void Derive_SmallMachine_HalfItsMemoryAndOneThread()
    {
        var limits = EngineLimits.Derive(new PipelineOptions(), new InstanceResources(1536 * EngineLimits.Megabyte, 4, 3 * GiB, IsInstance: false));

        // 768 MB as the instance: (768 - 400) x 0.75 = 276 MB, less 2 x 64 (the least a session outside runs gets),
        // one thread per 256 MB; spill half of 3 GB free.
        Assert.Equal("148MiB", limits.MemoryLimit);
        Assert.Equal(1, limits.Threads);
        Assert.Equal("1536MiB", limits.MaxSpillSize);
    }

    [Fact]
    public void Derive_TinyMachine_NeverBelowTheMinimum()
    {
        var limits = EngineLimits.Derive(new PipelineOptions(), new InstanceResources(512 * EngineLimits.Megabyte, 1, null, IsInstance: false));

        Assert.Equal($"{EngineLimits.MinimumMemoryLimitMB}MiB", limits.MemoryLimit);
        Assert.Equal(1, limits.Threads);
        Assert.Equal("10240MiB", limits.MaxSpillSize);
    }

    [Fact]
    public void Derive_ExplicitSettings_WinOverTheDerivedOnes()
    {
        var options = new PipelineOptions { MemoryLimit = "3GB", Threads = 7, MaxSpillSize = "1GB" };

        var limits = EngineLimits.Derive(options, new InstanceResources(2048 * EngineLimits.Megabyte, 2, 100 * GiB, IsInstance: true));

        Assert.Equal(("3GB", 7, "1GB"), (limits.MemoryLimit, limits.Threads, limits.MaxSpillSize));
        Assert.Contains("set: memory_limit, threads, spill cap", limits.Source, StringComparison.Ordinal);
    }

    [Fact]
    public void Derive_OnlyMemoryLimitSet_ThreadsStillDerived()
    {
        var limits = EngineLimits.Derive(new PipelineOptions { MemoryLimit = "512MB" }, new InstanceResources(4096 * EngineLimits.Megabyte, 2, 100 * GiB, IsInstance: true));

        Assert.Equal("512MB", limits.MemoryLimit);
        Assert.Equal(2, limits.Threads);
    }

    [Fact]
    public void Of_InstanceMemoryMBSet_TakesTheInstanceNotTheMachine()
    {
        var host = InstanceResources.Of(new PipelineOptions { InstanceMemoryMB = 4096 });

        Assert.True(host.IsInstance);
        Assert.Equal(4096 * EngineLimits.Megabyte, host.MemoryBytes);
    }

    [Fact]
    public void Of_NoInstanceSize_TakesWhatTheRuntimeSeesOfTheMachine()
    {
        var host = InstanceResources.Of(new PipelineOptions());

        Assert.False(host.IsInstance);
        Assert.Equal(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes, host.MemoryBytes);
    }

    [Fact]
    public void MemoryLimit_Derived_DuckDbAcceptsItAsTheFigureComputed()
    {
        var root = Directory.CreateTempSubdirectory("dm-engine-limits-").FullName;
        try
        {
            var limits = EngineLimits.Derive(new PipelineOptions(), new InstanceResources(2048 * EngineLimits.Megabyte, 2, 100 * GiB, IsInstance: true));
            using var session = DuckDbSession.Open(new DuckDbSessionOptions { AllowedDirectories = [root], TempDirectory = Path.Combine(root, "tmp"), Limits = limits.Run });

            Assert.Equal("759.0 MiB", session.Scalar("SELECT current_setting('memory_limit')"));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void Derive_FlexInstanceOf2048MB_QualityGateGetsItsBudgetPerThreadNotTheInstanceLimit()
    {
        var limits = EngineLimits.Derive(new PipelineOptions(), new InstanceResources(2048 * EngineLimits.Megabyte, 2, 100 * GiB, IsInstance: true));

        // 2 threads x 128 MiB, where the transform gets 759 MiB.
        Assert.Equal("256MiB", limits.QualityMemoryLimit);
    }

    [Fact]
    public void Derive_FlexInstanceOf4096MB_QualityBudgetFollowsTheThreadsNotTheInstance()
    {
        var limits = EngineLimits.Derive(new PipelineOptions(), new InstanceResources(4096 * EngineLimits.Megabyte, 8, 100 * GiB, IsInstance: true));

        Assert.Equal($"{EngineLimits.MaxThreads * EngineLimits.QualityMemoryPerThreadMB}MiB", limits.QualityMemoryLimit);
    }

    [Fact]
    public void Derive_MemoryLimitSetBelowTheQualityBudget_QualityNeverExceedsIt()
    {
        var limits = EngineLimits.Derive(new PipelineOptions { MemoryLimit = "200MB", Threads = 2 }, new InstanceResources(4096 * EngineLimits.Megabyte, 8, 100 * GiB, IsInstance: true));

        Assert.Equal("200MB", limits.QualityMemoryLimit);
    }

    [Fact]
    public void Derive_FlexInstanceOf2048MB_SessionsOutsideRunsGetAnEighthOfDuckDbsShareEach()
    {
        var limits = EngineLimits.Derive(new PipelineOptions(), new InstanceResources(2048 * EngineLimits.Megabyte, 2, 100 * GiB, IsInstance: true));

        // 1011 / 8, one thread, a quarter of the run's spill cap; the run's limit and two of these make DuckDB's 1011 MiB.
        Assert.Equal(new SessionLimits("126MiB", 1, "2560MiB") { Gate = SideSessionGate.Process }, limits.Side);
        Assert.Equal(1011, EngineLimits.Megabytes(limits.MemoryLimit) + (EngineLimits.SideSessions * EngineLimits.Megabytes(limits.SideMemoryLimit)));
    }

    [Fact]
    public void Derive_SmallMachine_SessionsOutsideRunsNeverBelowTheirLeast()
    {
        var limits = EngineLimits.Derive(new PipelineOptions(), new InstanceResources(1536 * EngineLimits.Megabyte, 4, 3 * GiB, IsInstance: false));

        Assert.Equal(new SessionLimits($"{EngineLimits.MinimumSideMemoryMB}MiB", 1, "384MiB") { Gate = SideSessionGate.Process }, limits.Side);
    }

    [Fact]
    public void Derive_MemoryLimitSet_SessionsOutsideRunsStillDerivedFromTheInstance()
    {
        var limits = EngineLimits.Derive(new PipelineOptions { MemoryLimit = "3GB" }, new InstanceResources(4096 * EngineLimits.Megabyte, 8, 100 * GiB, IsInstance: true));

        Assert.Equal(new SessionLimits("3GB", EngineLimits.MaxThreads, "10240MiB"), limits.Run);
        Assert.Equal($"{EngineLimits.MaximumSideMemoryMB}MiB", limits.SideMemoryLimit);
    }

    [Fact]
    public void FromSettings_InstanceMemoryMBSetting_DerivesAsTheAppsPipelineOptions()
    {
        var settings = new Dictionary<string, string?> { ["DataMesh__Pipeline__InstanceMemoryMB"] = "4096", ["DataMesh__Pipeline__Threads"] = "3" };

        var limits = EngineLimits.FromSettings(name => settings.GetValueOrDefault(name));

        var expected = new PipelineOptions { InstanceMemoryMB = 4096, Threads = 3 }.EngineLimits();
        Assert.Equal((expected.MemoryLimit, 3, expected.SideMemoryLimit), (limits.MemoryLimit, limits.Threads, limits.SideMemoryLimit));
        Assert.Contains("instance of 4096 MB", limits.Source, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1011MiB", 1011L)]
    [InlineData("1GB", 953L)]
    [InlineData("2 GiB", 2048L)]
    [InlineData("536870912", 512L)]
    [InlineData("80%", null)]
    public void Megabytes_DuckDbSizes_BinaryMegabytesRoundedDown(string size, long? expected)
    {
        Assert.Equal(expected, EngineLimits.Megabytes(size));
    }
}
