using System.Text.Json.Nodes;
using DataMesh.Infra.Tests.Bicep;

namespace DataMesh.Infra.Tests;

/// <summary>Every template compiles and lints with no diagnostic at all: Bicep warnings (BCP037 unknown property...) are errors here.</summary>
[Collection(InfraCollection.Name)]
public sealed class CompilationTests(InfraFixture infra)
{
    public static TheoryData<string> BicepFiles => new(InfraFixture.BicepFiles);

    [Theory]
    [MemberData(nameof(BicepFiles))]
    public void Build_EachBicepFile_CompilesWithoutDiagnostics(string file)
    {
        var diagnostics = infra.Build.Diagnostics.Where(d => RelativePath(d) == file).ToList();

        Assert.True(diagnostics.Count == 0, string.Join('\n', diagnostics));
        Assert.True(infra.Templates.ContainsKey(file), $"{file} produced no template:\n{infra.Build.Describe()}");
    }

    [Fact]
    public void Build_AllBicepFiles_SucceedsAndPrintsNothing()
    {
        Assert.True(infra.Build.IsClean, infra.Build.Describe());
    }

    [Fact]
    public void Lint_AllBicepFiles_ReportsNothing()
    {
        Assert.True(infra.Lint.IsClean, infra.Lint.Describe());
    }

    [Fact]
    public void Snapshot_DomainAndHub_EvaluateWithoutDiagnostics()
    {
        Assert.NotEmpty(infra.Domain.Resources);
        Assert.NotEmpty(infra.Hub.Resources);
        Assert.Empty(infra.Domain.Diagnostics);
        Assert.Empty(infra.Hub.Diagnostics);
    }

    [Fact]
    public void Build_MalformedSubscriptionsFile_FailsOnItsType()
    {
        var run = infra.MalformedSubscriptionsBuild;

        Assert.False(run.Success, run.Describe());
        Assert.Contains(run.Diagnostics, d => d.Level == "Error" && d.File.EndsWith("main.bicep", StringComparison.Ordinal));
    }

    [Fact]
    public void BicepConfig_EveryConfiguredRule_IsAnErrorOrOffAndTheClockDependentOneIsOff()
    {
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(InfraFixture.SourceDirectory, "bicepconfig.json")));
        var rules = config?["analyzers"]?["core"]?["rules"]?.AsObject() ?? [];

        var levels = rules.ToDictionary(r => r.Key, r => r.Value?["level"]?.GetValue<string>());

        Assert.Equal("off", levels.GetValueOrDefault("use-recent-api-versions"));
        Assert.All(levels, rule => Assert.True(rule.Value is "error" or "off", $"{rule.Key} is '{rule.Value}'"));
    }

    private string RelativePath(BicepDiagnostic diagnostic) =>
        Path.GetRelativePath(infra.WorkDirectory, diagnostic.File).Replace('\\', '/');
}
