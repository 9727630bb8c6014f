using DataMesh.Infra.Tests.Arm;

namespace DataMesh.Infra.Tests;

/// <summary>
/// The masking key: kept in the domain's own Key Vault (RBAC only, soft delete, purge protection), read by the app
/// through a Key Vault reference resolved with its user-assigned identity; never a literal app setting.
/// </summary>
[Collection(InfraCollection.Name)]
public sealed class KeyVaultTests(InfraFixture infra)
{
    public const string VaultType = "Microsoft.KeyVault/vaults";
    public const string SecretType = "Microsoft.KeyVault/vaults/secrets";
    private const string KeySetting = "DataMesh__Pipeline__MaskingKey";

    [Fact]
    public void Vaults_EveryTemplate_UseRbacSoftDeleteAndPurgeProtection()
    {
        var vaults = infra.Templates.Values.SelectMany(t => t.Deployed(VaultType).Select(r => (Template: t, Resource: r))).ToList();

        Assert.NotEmpty(vaults);
        Assert.All(vaults, v =>
        {
            Assert.True(v.Resource.Body.IsLiteral("properties.enableRbacAuthorization", true), $"{v.Template}: access policies instead of RBAC");
            Assert.True(v.Resource.Body.IsLiteral("properties.enableSoftDelete", true), $"{v.Template}: soft delete off");
            Assert.True(v.Resource.Body.IsLiteral("properties.enablePurgeProtection", true), $"{v.Template}: purge protection off");
            Assert.True(v.Resource.Body.IsLiteral("properties.enabledForTemplateDeployment", false), $"{v.Template}: templates may read secrets");
            Assert.Null(v.Resource.Body.At("properties.accessPolicies"));
        });
    }

    [Fact]
    public void DomainApp_Snapshot_ReadsTheMaskingKeyThroughAKeyVaultReferenceToItsOwnVault()
    {
        var own = DeployedResources.Of(infra.Domain);
        var site = infra.Domain.Single("Microsoft.Web/sites");
        var secret = infra.Domain.Single(SecretType);
        var settings = DeploymentSnapshot.AppSettings(site);

        var value = settings[KeySetting];

        Assert.Equal(
            $"[format('@Microsoft.KeyVault(SecretUri={{0}})', reference('{secret.Text("id")}', '{secret.Text("apiVersion")}').secretUri)]",
            value);
        Assert.StartsWith(own.ResourceGroupId + "/providers/Microsoft.KeyVault/vaults/", secret.Text("id"), StringComparison.Ordinal);
        // The reference resolves with the app's user-assigned identity (the default would be a system identity it lacks).
        Assert.Equal(own.AppIdentityId, site.Text("properties.keyVaultReferenceIdentity"));
    }

    [Fact]
    public void MaskingKey_DomainSnapshot_IsWrittenOnlyToTheVaultFromTheSecureParameter()
    {
        var secret = infra.Domain.Single(SecretType);
        var everythingElse = infra.Domain.Resources.Where(r => r != secret).Select(r => r.ToJsonString())
            .Concat(infra.Domain.Outputs.Select(o => o.Value?.ToJsonString() ?? ""));

        Assert.Equal("[parameters('maskingKey')]", secret.Text("properties.value"));
        Assert.All(everythingElse, text => Assert.DoesNotContain(TestDeployment.MaskingKey, text, StringComparison.Ordinal));
        Assert.Equal("securestring", infra.Templates["domain.bicep"].Root["parameters"]?["maskingKey"]?["type"]?.GetValue<string>());
        Assert.Equal("securestring", infra.Templates["modules/key-vault.bicep"].Root["parameters"]?["maskingKey"]?["type"]?.GetValue<string>());
    }

    [Fact]
    public void SecretsUser_DomainSnapshot_IsGrantedOnTheVaultOnly()
    {
        var vault = infra.Domain.Single(VaultType).Text("id")!;
        var readers = infra.Domain.OfType("Microsoft.Authorization/roleAssignments").Select(RoleAssignment.From)
            .Where(a => a.RoleDefinitionId == BuiltInRole.KeyVaultSecretsUser)
            .ToList();

        Assert.Contains(readers, a => a.Principal == DeployedResources.Of(infra.Domain).AppIdentityId);
        // Not the resource group or subscription: a role there would read every vault in it.
        Assert.All(readers, a => Assert.Equal(vault, a.Scope));
    }

    [Fact]
    public void Hub_Snapshot_HasNoVaultAndNoMaskingKey()
    {
        var settings = DeploymentSnapshot.AppSettings(infra.Hub.Single("Microsoft.Web/sites"));

        Assert.Empty(infra.Hub.OfType(VaultType));
        Assert.DoesNotContain(KeySetting, settings.Keys);
        Assert.Equal("", infra.Hub.Output("DATAMESH_VAULT_NAME"));
    }

    [Fact]
    public void AppSettings_Snapshots_AreNeverALiteralMaskingKey()
    {
        // Whatever the value, a masking key setting is an expression ending in a Key Vault reference, never text in the template.
        var salts = new[] { infra.Domain, infra.Hub }
            .SelectMany(s => DeploymentSnapshot.AppSettings(s.Single("Microsoft.Web/sites")))
            .Where(s => s.Key.Contains("MaskingKey", StringComparison.OrdinalIgnoreCase))
            .ToList();

        Assert.NotEmpty(salts);
        Assert.All(salts, s => Assert.StartsWith("[format('@Microsoft.KeyVault(", s.Value, StringComparison.Ordinal));
    }

    [Fact]
    public void Vault_DomainSnapshot_IsNamedInTheOutputsForAzd()
    {
        Assert.Equal(infra.Domain.Single(VaultType).Text("name"), infra.Domain.Output("DATAMESH_VAULT_NAME"));
    }
}
