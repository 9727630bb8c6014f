using System.Text.Json.Nodes;
using DataMesh.Consumption;

namespace DataMesh.Core.Tests.Consumption;

/// <summary>The mesh API app registration's roles: what callers read data with, re-applied on every hub provision.</summary>
public sealed class MeshApiAppRolesTests
{
    [Fact]
    public void Merge_NoRolesYet_OperatorThenOneEnabledRolePerDomainForUsersAndApplications()
    {
        // Act
        var roles = MeshApiAppRoles.Merge(["sales", "finance", "finance"], existing: null);

        // Assert
        Assert.Equal(["DataMesh.Operator", "DataMesh.Domain.finance", "DataMesh.Domain.sales"], Values(roles));
        Assert.All(roles.OfType<JsonObject>(), r =>
        {
            Assert.True(r["isEnabled"]!.GetValue<bool>());
            Assert.Equal(["Application", "User"], r["allowedMemberTypes"]!.AsArray().Select(t => t!.GetValue<string>()));
            Assert.True(Guid.TryParse(r["id"]!.GetValue<string>(), out _));
            Assert.False(string.IsNullOrWhiteSpace(r["displayName"]?.GetValue<string>()));
            Assert.False(string.IsNullOrWhiteSpace(r["description"]?.GetValue<string>()));
        });
        // The values are exactly what the apps read roles as.
        Assert.Equal(DataReader.OperatorRole, Values(roles)[0]);
        Assert.Equal(["finance", "sales"], DataReader.FromAppRoles(Values(roles).Skip(1)).Domains.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Merge_SameDomainsTwice_SameIds()
    {
        // Act
        var first = MeshApiAppRoles.Merge(["finance", "sales"], existing: null);
        var second = MeshApiAppRoles.Merge(["sales", "finance"], existing: null);

        // Assert: two hub environments (or two runs) agree on a new role's id.
        Assert.Equal(first.ToJsonString(), second.ToJsonString());
        Assert.Equal(4, Ids(first).Concat(Ids(MeshApiAppRoles.Merge(["workforce"], null))).Distinct().Count());
    }

    [Fact]
    public void Merge_RoleExistsWithAnotherId_KeepsThatId()
    {
        // Arrange: a role created by hand (or by an older version) keeps its id: assignments point at it.
        var existing = Roles(("DataMesh.Domain.finance", "0b5c5ad1-7777-4e4e-8888-123456789abc", true, "ours"));

        // Act
        var roles = MeshApiAppRoles.Merge(["finance"], existing);

        // Assert
        var finance = roles.OfType<JsonObject>().Single(r => r["value"]!.GetValue<string>() == "DataMesh.Domain.finance");
        Assert.Equal("0b5c5ad1-7777-4e4e-8888-123456789abc", finance["id"]!.GetValue<string>());
        Assert.True(finance["isEnabled"]!.GetValue<bool>());
    }

    [Fact]
    public void Merge_DomainRemoved_KeepsItsRoleDisabledAndForeignRolesAsTheyAre()
    {
        // Arrange: marketing left the mesh; someone added a role of their own to the registration.
        var existing = MeshApiAppRoles.Merge(["finance", "marketing"], existing: null);
        existing.Add(Roles(("Reports.Read", "9f9f9f9f-0000-4000-8000-000000000009", true, "foreign"))[0]!.DeepClone());

        // Act
        var roles = MeshApiAppRoles.Merge(["finance"], existing);

        // Assert: Graph refuses to delete an enabled role, so it is disabled and kept; the foreign role is untouched.
        Assert.Equal(["DataMesh.Operator", "DataMesh.Domain.finance", "DataMesh.Domain.marketing", "Reports.Read"], Values(roles));
        var byValue = roles.OfType<JsonObject>().ToDictionary(r => r["value"]!.GetValue<string>());
        Assert.False(byValue["DataMesh.Domain.marketing"]["isEnabled"]!.GetValue<bool>());
        Assert.True(byValue["Reports.Read"]["isEnabled"]!.GetValue<bool>());
        Assert.Equal("foreign", byValue["Reports.Read"]["description"]!.GetValue<string>());
        Assert.Equal(Ids(existing).Order(StringComparer.Ordinal), Ids(roles).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Merge_ExistingRoleWithReadOnlyGraphProperties_WritesOnlyWritableOnes()
    {
        // Arrange: az ad app show prints origin, which Graph does not accept back.
        var existing = Roles(("Reports.Read", "9f9f9f9f-0000-4000-8000-000000000009", true, "foreign"));
        existing[0]!["origin"] = "Application";

        // Act
        var roles = MeshApiAppRoles.Merge(["finance"], existing);

        // Assert
        Assert.All(roles.OfType<JsonObject>(), r => Assert.Equal(
            ["allowedMemberTypes", "description", "displayName", "id", "isEnabled", "value"],
            r.Select(p => p.Key).Order(StringComparer.Ordinal)));
    }

    [Fact]
    public void Merge_ForeignRoleHoldsTheIdANewRoleNeeds_FailsNamingBoth()
    {
        // Arrange
        var id = MeshApiAppRoles.NewId("DataMesh.Domain.finance").ToString();
        var existing = Roles(("Reports.Read", id, true, "foreign"));

        // Act
        var error = Assert.Throws<ArgumentException>(() => MeshApiAppRoles.Merge(["finance"], existing));

        // Assert
        Assert.Contains("Reports.Read", error.Message, StringComparison.Ordinal);
        Assert.Contains("DataMesh.Domain.finance", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Finance")]
    [InlineData("fin ance")]
    [InlineData("")]
    public void Merge_NotADomainName_Fails(string domain)
    {
        Assert.Throws<ArgumentException>(() => MeshApiAppRoles.Merge([domain], existing: null));
    }

    [Fact]
    public void NewId_Value_IsAVersion8RfcUuid()
    {
        // Act
        var id = MeshApiAppRoles.NewId("DataMesh.Operator").ToString();

        // Assert: xxxxxxxx-xxxx-8xxx-[89ab]xxx-xxxxxxxxxxxx
        Assert.Equal('8', id[14]);
        Assert.Contains(id[19], "89ab");
        Assert.NotEqual(MeshApiAppRoles.NewId("DataMesh.Operator"), MeshApiAppRoles.NewId("DataMesh.Domain.operator"));
    }

    private static List<string> Values(JsonArray roles) => [.. roles.Select(r => r!["value"]!.GetValue<string>())];

    private static List<string> Ids(JsonArray roles) => [.. roles.Select(r => r!["id"]!.GetValue<string>())];

    private static JsonArray Roles(params (string Value, string Id, bool Enabled, string Description)[] roles) =>
        [.. roles.Select(r => (JsonNode)new JsonObject
        {
            ["allowedMemberTypes"] = new JsonArray("User"),
            ["description"] = r.Description,
            ["displayName"] = r.Value,
            ["id"] = r.Id,
            ["isEnabled"] = r.Enabled,
            ["value"] = r.Value,
        })];
}
