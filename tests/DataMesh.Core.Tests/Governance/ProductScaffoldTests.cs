using DataMesh.Core.Tests.Specs;
using DataMesh.Governance;
using DataMesh.Specs;

namespace DataMesh.Core.Tests.Governance;

public sealed class ProductScaffoldTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("domain")]
    [InlineData("public")]
    [InlineData("restricted")]
    public void Write_NewProduct_ValidatesCleanUnderShippedPolicies(string visibility)
    {
        // Arrange
        var pipelines = Path.Combine(_temp.Path, "pipelines");
        var policies = MeshPoliciesLoader.Load(RepositoryFiles.MeshFile);

        // Act
        var directory = ProductScaffold.Write(pipelines, "supply-chain", "purchase-orders", new ProductScaffoldOptions { Visibility = visibility });
        var result = ProductSpecLoader.Read(directory);
        var findings = PolicyEngine.Evaluate([result.Spec!], policies, new PolicyContext());

        // Assert
        Assert.Empty(result.Diagnostics);
        Assert.Equal(("supply-chain.purchase-orders", "1.0.0", visibility), (result.Spec!.Id, result.Spec.Version, result.Spec.Access.Visibility));
        Assert.Empty(findings);
        Assert.All(ProductScaffold.Files, f => Assert.True(File.Exists(Path.Combine(directory, f)), f));
    }

    [Fact]
    public void Write_NewProduct_VersionIsReadableByACaretOneConsumer()
    {
        // Act
        var directory = ProductScaffold.Write(Path.Combine(_temp.Path, "pipelines"), "finance", "ledger-apac");
        var spec = ProductSpecLoader.Read(directory).Spec!;

        // Assert: a consumer declaring `versions: ^1` (the ranges `new` users write first) reads the scaffold's releases.
        Assert.True(
            Semver.SemVersion.Parse(spec.Version, Semver.SemVersionStyles.Strict).Satisfies(Semver.SemVersionRange.ParseNpm("^1")),
            $"the scaffold's version {spec.Version} is outside ^1");
        Assert.Equal(spec.Version, spec.Contract.Version);
    }

    [Fact]
    public void Write_InsideARepositoryWithSchemas_ReferencesTheProductSchema()
    {
        // Arrange
        _temp.Write(Path.Combine("schemas", "product.schema.json"), File.ReadAllText(RepositoryFiles.ProductSchema));
        Directory.CreateDirectory(Path.Combine(_temp.Path, ".git"));

        // Act
        var directory = ProductScaffold.Write(Path.Combine(_temp.Path, "pipelines"), "finance", "ledger-apac");

        // Assert
        Assert.Equal("# yaml-language-server: $schema=../../../schemas/product.schema.json", File.ReadLines(Path.Combine(directory, "product.yaml")).First());
        Assert.Empty(ProductSpecLoader.Validate(directory));
    }

    [Fact]
    public void Write_OwnerOptionsWithYamlSpecialCharacters_StayValid()
    {
        // Act
        var directory = ProductScaffold.Write(Path.Combine(_temp.Path, "pipelines"), "finance", "ledger-apac",
            new ProductScaffoldOptions { Team = "Finance: APAC, {core}", OwnerEmail = "o'brien@example.com" });

        // Assert
        var spec = ProductSpecLoader.Load(directory);
        Assert.Equal(new ProductOwner("Finance: APAC, {core}", "o'brien@example.com"), spec.Owner);
    }

    [Fact]
    public void Write_ExistingFolder_ThrowsAndKeepsIt()
    {
        // Arrange
        var existing = _temp.Write(Path.Combine("pipelines", "finance", "ledger-apac", "keep.txt"), "mine");

        // Act
        var error = Assert.Throws<IOException>(() => ProductScaffold.Write(Path.Combine(_temp.Path, "pipelines"), "finance", "ledger-apac"));

        // Assert
        Assert.Contains("already exists", error.Message, StringComparison.Ordinal);
        Assert.Equal("mine", File.ReadAllText(existing));
    }

    [Theory]
    [InlineData("Finance", "ledger")]
    [InlineData("finance", "ledger_apac")]
    public void Write_NameNotKebabCase_Throws(string domain, string name)
    {
        // Act + Assert
        Assert.Throws<ArgumentException>(() => ProductScaffold.Write(Path.Combine(_temp.Path, "pipelines"), domain, name));
    }
}
