using DataMesh.Specs;

namespace DataMesh.Core.Tests.Specs;

public sealed class StageLimitsTests
{
    [Theory]
    [InlineData("quarantine", 10)]
    [InlineData("announce", 5)]
    [InlineData("cleanup", 10)]
    public void For_PlatformStage_HasADefaultBoundButNoSpecKey(string stage, int minutes)
    {
        // Act
        var limit = StageLimits.Default.For(stage);

        // Assert: bounded like the other stages, not something a spec sets (limits: keeps its four keys).
        Assert.Equal(TimeSpan.FromMinutes(minutes), limit);
        Assert.DoesNotContain(stage, StageLimits.Stages);
    }
}
