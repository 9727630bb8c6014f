using DataMesh.Infra.Tests.Arm;

namespace DataMesh.Infra.Tests;

/// <summary>No template reads a key (listKeys, SAS), and no setting or output carries one.</summary>
[Collection(InfraCollection.Name)]
public sealed class SecretTests(InfraFixture infra)
{
    [Fact]
    public void Templates_Anywhere_ReadNoKeysOrSas()
    {
        var leaks = infra.Templates.Values.SelectMany(t => SecurityBaseline.SecretLeaks(t.Json, t.SourceFile))
            .Concat(SecurityBaseline.SecretLeaks(File.ReadAllText(Path.Combine(InfraFixture.SourceDirectory, "main.parameters.json")), "main.parameters.json"))
            .ToList();

        Assert.NotEmpty(infra.Templates);
        Assert.True(leaks.Count == 0, string.Join('\n', leaks));
    }

    [Fact]
    public void AppSettings_Snapshots_CarryNoKeyOrSas()
    {
        var settings = new[] { infra.Domain, infra.Hub }
            .SelectMany(s => DeploymentSnapshot.AppSettings(s.Single("Microsoft.Web/sites")))
            .ToList();

        var leaks = settings.SelectMany(s => SecurityBaseline.SecretLeaks(s.Value, s.Key)).ToList();

        Assert.NotEmpty(settings);
        Assert.True(leaks.Count == 0, string.Join('\n', leaks));
    }

    [Fact]
    public void Outputs_EveryTemplateAndSnapshot_CarryNoKeyOrSecret()
    {
        var violations = infra.Templates.Values
            .SelectMany(t => t.Outputs.SelectMany(o => SecurityBaseline.OutputViolations(o.Key, o.Value, t.SourceFile)))
            .Concat(new[] { infra.Domain, infra.Hub }
                .SelectMany(s => s.Outputs)
                .SelectMany(o => SecurityBaseline.SecretLeaks(o.Value?.ToJsonString() ?? "", $"snapshot output {o.Key}")))
            .ToList();

        Assert.True(violations.Count == 0, string.Join('\n', violations));
    }

    [Theory]
    [InlineData("[listKeys(resourceId('Microsoft.Storage/storageAccounts', parameters('name')), '2025-06-01').keys[0].value]")]
    [InlineData("[listAccountSas(parameters('name'), '2025-06-01', variables('sas')).accountSasToken]")]
    [InlineData("DefaultEndpointsProtocol=https;AccountName=st1;AccountKey=c2VjcmV0;EndpointSuffix=core.windows.net")]
    [InlineData("BlobEndpoint=https://st1.blob.core.windows.net/;SharedAccessSignature=sv=2024&sig=abc")]
    public void SecretLeaks_KeyBearingValue_IsCaught(string value)
    {
        Assert.NotEmpty(SecurityBaseline.SecretLeaks(value, "a setting"));
    }

    [Fact]
    public void OutputViolations_OutputNamedLikeAKey_IsCaught()
    {
        var output = new System.Text.Json.Nodes.JsonObject { ["type"] = "string", ["value"] = "[parameters('name')]" };

        Assert.NotEmpty(SecurityBaseline.OutputViolations("storageAccountKey", output, "a template"));
    }
}
