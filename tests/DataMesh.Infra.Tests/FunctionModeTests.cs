using System.Text.Json.Nodes;
using DataMesh.Infra.Tests.Arm;

namespace DataMesh.Infra.Tests;

/// <summary>
/// One app package, two modes: a domain app must not run the hub's functions and the hub app not a domain's. The
/// Bicep switches them off with <c>AzureWebJobs.&lt;name&gt;.Disabled</c> from <c>infra/function-modes.json</c>
/// (which DataMesh.Functions.Tests compares with the published functions.metadata); the functions listed under
/// <c>both</c> (the release data routes) run in every app.
/// </summary>
[Collection(InfraCollection.Name)]
public sealed class FunctionModeTests(InfraFixture infra)
{
    private static readonly JsonObject Modes =
        JsonNode.Parse(File.ReadAllText(Path.Combine(InfraFixture.SourceDirectory, "function-modes.json")))!.AsObject();

    public static TheoryData<string> ModeNames => ["domain", "hub"];

    [Fact]
    public void FunctionModes_Lists_AreDisjointAndNotEmpty()
    {
        var domain = Names("domain");
        var hub = Names("hub");
        var both = Names("both");

        Assert.NotEmpty(domain);
        Assert.NotEmpty(hub);
        Assert.Empty(domain.Intersect(hub, StringComparer.Ordinal));
        Assert.Empty(both.Intersect(domain.Concat(hub), StringComparer.Ordinal));
        // The hub answers the data routes with a redirect to the domain app that holds the release.
        Assert.Equal(["GetReleaseFile", "GetReleaseRows"], both.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(ModeNames))]
    public void Site_Snapshot_DisablesExactlyTheOtherModesFunctions(string mode)
    {
        var snapshot = mode == "domain" ? infra.Domain : infra.Hub;
        var other = mode == "domain" ? "hub" : "domain";
        var settings = DeploymentSnapshot.AppSettings(snapshot.Single("Microsoft.Web/sites"));

        var disabled = settings.Where(s => s.Key.StartsWith("AzureWebJobs.", StringComparison.Ordinal) && s.Key.EndsWith(".Disabled", StringComparison.Ordinal))
            .ToList();

        Assert.Equal(
            Names(other).Select(n => $"AzureWebJobs.{n}.Disabled").Order(StringComparer.Ordinal),
            disabled.Select(s => s.Key).Order(StringComparer.Ordinal));
        Assert.All(disabled, s => Assert.Equal("true", s.Value));
        Assert.DoesNotContain(disabled, s => Names("both").Any(n => s.Key == $"AzureWebJobs.{n}.Disabled"));
        Assert.Equal(mode, settings["DataMesh__Mode"]);
    }

    private static List<string> Names(string mode) =>
        (Modes[mode] as JsonArray ?? []).Select(n => n!.GetValue<string>()).ToList();
}
