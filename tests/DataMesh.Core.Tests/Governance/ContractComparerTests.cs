using DataMesh.Contracts;
using DataMesh.Core.Tests.Specs;
using DataMesh.Governance;

namespace DataMesh.Core.Tests.Governance;

public sealed class ContractComparerTests : IDisposable
{
    private const string Orders = """
        apiVersion: v3.1.0
        kind: DataContract
        id: urn:test:sales:orders
        version: {version}
        status: active
        schema:
          - name: orders
            description: One row per order.
            properties:
              - name: order_id
                logicalType: string
                physicalType: varchar
                required: true
                unique: true
                primaryKey: true
                classification: internal
              - name: customer_email
                logicalType: string
                physicalType: varchar
                classification: internal
              - name: quantity
                logicalType: integer
                physicalType: integer
                required: true
              - name: amount
                logicalType: number
                physicalType: decimal(18,2)
                quality:
                  - metric: nullValues
                    mustBe: 0
            quality:
              - metric: rowCount
                mustBeGreaterThan: 0

        """;

    private const string AmountColumn = "      - name: amount\n        logicalType: number\n        physicalType: decimal(18,2)\n        quality:\n          - metric: nullValues\n            mustBe: 0\n";

    private const string EmailColumn = "      - name: customer_email\n        logicalType: string\n        physicalType: varchar\n        classification: internal\n";

    private const string ReturnsObject = "  - name: returns\n    properties:\n      - name: order_id\n        logicalType: string\n";

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>Contract pairs: the edit from the old version to the new one, then the one change expected and its bump.</summary>
    public static TheoryData<string, string, ContractChangeKind, VersionBump> Pairs => new()
    {
        { AmountColumn, "", ContractChangeKind.ColumnRemoved, VersionBump.Major },
        { "- name: quantity", "- name: units", ContractChangeKind.ColumnRenamed, VersionBump.Major },
        { AmountColumn, AmountColumn + "      - name: region\n        logicalType: string\n", ContractChangeKind.ColumnAdded, VersionBump.Minor },
        { "decimal(18,2)", "decimal(10,2)", ContractChangeKind.TypeNarrowed, VersionBump.Major },
        { "decimal(18,2)", "decimal(20,4)", ContractChangeKind.TypeWidened, VersionBump.Minor },
        { "physicalType: integer", "physicalType: bigint", ContractChangeKind.TypeWidened, VersionBump.Minor },
        { "physicalType: integer", "physicalType: smallint", ContractChangeKind.TypeNarrowed, VersionBump.Major },
        { "physicalType: integer", "physicalType: INT4", ContractChangeKind.DescriptionChanged, VersionBump.None },
        { EmailColumn, EmailColumn.Replace("logicalType: string\n        physicalType: varchar", "logicalType: date\n        physicalType: date", StringComparison.Ordinal), ContractChangeKind.TypeChanged, VersionBump.Major },
        { "        physicalType: integer\n        required: true\n", "        physicalType: integer\n", ContractChangeKind.MadeOptional, VersionBump.Major },
        { EmailColumn, EmailColumn + "        required: true\n", ContractChangeKind.MadeRequired, VersionBump.Major },
        { "        unique: true\n", "", ContractChangeKind.UniqueDropped, VersionBump.Major },
        { EmailColumn, EmailColumn + "        unique: true\n", ContractChangeKind.UniqueAdded, VersionBump.Minor },
        { "        primaryKey: true\n", "", ContractChangeKind.PrimaryKeyDropped, VersionBump.Major },
        { EmailColumn, EmailColumn.Replace("internal", "pii", StringComparison.Ordinal), ContractChangeKind.ClassificationRaised, VersionBump.Major },
        { EmailColumn, EmailColumn.Replace("internal", "public", StringComparison.Ordinal), ContractChangeKind.ClassificationLowered, VersionBump.Minor },
        { EmailColumn, EmailColumn + "        customProperties:\n          - property: masking\n            value: hash\n", ContractChangeKind.MaskingChanged, VersionBump.Major },
        { "    quality:\n      - metric: rowCount\n        mustBeGreaterThan: 0\n", "", ContractChangeKind.QualityRuleRemoved, VersionBump.Major },
        { "mustBeGreaterThan: 0", "mustBeGreaterThan: 100", ContractChangeKind.QualityRuleChanged, VersionBump.Minor },
        { "        physicalType: integer\n", "        physicalType: integer\n        quality:\n          - metric: nullValues\n            mustBe: 0\n", ContractChangeKind.QualityRuleAdded, VersionBump.Minor },
        { "    description: One row per order.", "    description: One row per order line.", ContractChangeKind.DescriptionChanged, VersionBump.Patch },
        { "        mustBeGreaterThan: 0\n", "        mustBeGreaterThan: 0\n" + ReturnsObject, ContractChangeKind.ObjectAdded, VersionBump.Minor },
    };

    private DataContract Write(string name, string text, string version) =>
        ContractLoader.Load(_temp.Write(name, text.Replace("{version}", version, StringComparison.Ordinal)));

    [Theory]
    [MemberData(nameof(Pairs))]
    public void Compare_ContractPair_FindsTheChangeAndItsBump(string find, string replace, ContractChangeKind kind, VersionBump bump)
    {
        // Arrange
        Assert.Contains(find, Orders, StringComparison.Ordinal);
        var old = Write("old.odcs.yaml", Orders, "1.0.0");
        var current = Write("new.odcs.yaml", Orders.Replace(find, replace, StringComparison.Ordinal), "1.0.0");

        // Act
        var diff = ContractComparer.Compare(old, current);

        // Assert
        if (bump == VersionBump.None)
        {
            Assert.Empty(diff.Changes);
        }
        else
        {
            var change = Assert.Single(diff.Changes);
            Assert.Equal((kind, bump), (change.Kind, change.Bump));
        }

        Assert.Equal(bump, diff.Required);
    }

    [Fact]
    public void Compare_ObjectRemoved_IsMajor()
    {
        // Arrange
        var two = Orders.Replace("        mustBeGreaterThan: 0\n", "        mustBeGreaterThan: 0\n" + ReturnsObject, StringComparison.Ordinal);
        var old = Write("old.odcs.yaml", two, "1.0.0");
        var current = Write("new.odcs.yaml", Orders, "2.0.0");

        // Act
        var diff = ContractComparer.Compare(old, current);

        // Assert
        var change = Assert.Single(diff.Changes);
        Assert.Equal((ContractChangeKind.ObjectRemoved, VersionBump.Major, "returns"), (change.Kind, change.Bump, change.Object));
        Assert.True(diff.VersionSufficient);
    }

    [Theory]
    [InlineData("1.0.0", "1.1.0", false, "2.0.0")]
    [InlineData("1.0.0", "2.0.0", true, "2.0.0")]
    [InlineData("1.4.2", "3.0.0", true, "2.0.0")]
    [InlineData("0.3.1", "0.4.0", true, "0.4.0")]
    [InlineData("0.3.1", "0.3.2", false, "0.4.0")]
    [InlineData("1.0.0", "0.9.0", false, "2.0.0")]
    public void VersionSufficient_BreakingChange_NeedsAMajorBump(string oldVersion, string newVersion, bool sufficient, string suggested)
    {
        // Arrange
        var old = Write("old.odcs.yaml", Orders, oldVersion);
        var current = Write("new.odcs.yaml", Orders.Replace(AmountColumn, "", StringComparison.Ordinal), newVersion);

        // Act
        var diff = ContractComparer.Compare(old, current);

        // Assert
        Assert.Equal(VersionBump.Major, diff.Required);
        Assert.Equal((sufficient, suggested), (diff.VersionSufficient, diff.SuggestedVersion));
    }

    [Theory]
    [InlineData("1.0.0", "1.0.0", false)]
    [InlineData("1.0.0", "1.1.0", true)]
    [InlineData("0.1.0", "0.1.1", true)]
    public void VersionSufficient_AdditiveChange_NeedsAMinorBump(string oldVersion, string newVersion, bool sufficient)
    {
        // Arrange
        var old = Write("old.odcs.yaml", Orders, oldVersion);
        var current = Write("new.odcs.yaml", Orders.Replace(AmountColumn, AmountColumn + "      - name: region\n        logicalType: string\n", StringComparison.Ordinal), newVersion);

        // Act
        var diff = ContractComparer.Compare(old, current);

        // Assert
        Assert.Equal((VersionBump.Minor, sufficient), (diff.Required, diff.VersionSufficient));
    }

    [Fact]
    public void Compare_SameContract_NeedsNothing()
    {
        // Arrange
        var old = Write("old.odcs.yaml", Orders, "1.0.0");
        var current = Write("new.odcs.yaml", Orders, "1.0.0");

        // Act
        var diff = ContractComparer.Compare(old, current);

        // Assert
        Assert.Empty(diff.Changes);
        Assert.Equal((VersionBump.None, VersionBump.None, true), (diff.Required, diff.Declared, diff.VersionSufficient));
    }
}
