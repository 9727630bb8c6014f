using DataMesh.Contracts;
using DataMesh.Specs;

namespace DataMesh.Core.Tests.Specs;

public sealed class ProductSpecLoaderTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Load_FullSpec_ReturnsEveryField()
    {
        // Arrange
        var spec = """
            apiVersion: datamesh/v1
            kind: DataProduct
            domain: finance
            name: ledger-emea
            version: 1.2.0
            description: General ledger entries for EMEA entities, in EUR.
            owner: { team: Finance EMEA, email: finance-emea@example.com }
            tags: [finance, ledger]
            inputs:
              - name: gl_entries
                landing: { path: ledger/emea/, format: csv, delimiter: ';', header: true, skip: 1 }
                columns:
                  - { name: entry_id, type: varchar, required: true }
                  - { name: amount, type: decimal(18,2) }
              - name: fx_rates
                product: treasury.fx-rates
                versions: ^1
            transform: { sql: transform.sql }
            output:
              contract: contract.odcs.yaml
              format: parquet
              partitionBy: [period]
            sla: { freshness: PT24H }
            access: { visibility: restricted, readers: [finance, audit] }
            limits: { transform: PT2H, quality: PT5M }

            """;
        var folder = ProductFixtures.WriteProduct(_temp, spec);

        // Act
        var product = ProductSpecLoader.Load(folder);

        // Assert
        Assert.Equal("finance", product.Domain);
        Assert.Equal("ledger-emea", product.Name);
        Assert.Equal("finance.ledger-emea", product.Id);
        Assert.Equal("1.2.0", product.Version);
        Assert.Equal("General ledger entries for EMEA entities, in EUR.", product.Description);
        Assert.Equal(new ProductOwner("Finance EMEA", "finance-emea@example.com"), product.Owner);
        Assert.Equal(["finance", "ledger"], product.Tags);
        Assert.Equal(2, product.Inputs.Count);

        var landing = product.Inputs[0];
        Assert.Equal("gl_entries", landing.Name);
        Assert.True(landing.IsLanding);
        Assert.Equal("ledger/emea/", landing.Landing!.Path);
        Assert.Equal("csv", landing.Landing.Format);
        Assert.Equal(";", landing.Landing.Options["delimiter"]);
        Assert.Equal("true", landing.Landing.Options["header"]);
        Assert.Equal("1", landing.Landing.Options["skip"]);
        Assert.Equal([new InputColumn("entry_id", "varchar", true), new InputColumn("amount", "decimal(18,2)", false)], landing.Columns);
        Assert.Null(landing.Product);
        Assert.Null(landing.Versions);

        var upstream = product.Inputs[1];
        Assert.Equal("fx_rates", upstream.Name);
        Assert.False(upstream.IsLanding);
        Assert.Equal("treasury.fx-rates", upstream.Product);
        Assert.Equal("^1", upstream.Versions);

        Assert.Equal("transform.sql", product.TransformSqlPath);
        Assert.Equal(ProductFixtures.TransformSql, product.TransformSql);
        Assert.Equal("contract.odcs.yaml", product.Output.Contract);
        Assert.Equal("parquet", product.Output.Format);
        Assert.Equal(["period"], product.Output.PartitionBy);
        Assert.Equal(TimeSpan.FromHours(24), product.Freshness);
        Assert.Equal("restricted", product.Access.Visibility);
        Assert.Equal(["finance", "audit"], product.Access.Readers);
        Assert.Equal(StageLimits.Default with { Transform = TimeSpan.FromHours(2), Quality = TimeSpan.FromMinutes(5) }, product.Limits);

        Assert.True(Path.IsPathRooted(product.Directory));
        Assert.Equal(Path.GetFullPath(folder), product.Directory);
        Assert.Equal(Path.Combine(product.Directory, "product.yaml"), product.SpecPath);
        Assert.Equal("finance.ledger-emea", product.Contract.Id);
        Assert.Equal("1.2.0", product.Contract.Version);
        Assert.Equal(Path.Combine(product.Directory, "contract.odcs.yaml"), product.Contract.Path);
        Assert.Equal(["entry_id", "amount", "period"], product.Contract.Schema[0].Properties.Select(p => p.Name));
    }

    [Fact]
    public void Load_DesignDocumentExample_Loads()
    {
        // Arrange: DESIGN §4 verbatim (a contract users copy).
        var spec = """
            apiVersion: datamesh/v1
            kind: DataProduct
            domain: finance                 # must equal the folder's domain
            name: ledger-emea               # kebab-case; product id = finance.ledger-emea
            version: 1.2.0                  # semver of the output; breaking contract change => major bump
            description: General ledger entries for EMEA entities, in EUR.
            owner: { team: Finance EMEA, email: finance-emea@example.com }
            tags: [finance, ledger]
            inputs:
              - name: gl_entries            # becomes a DuckDB view of that name in the transform
                landing: { path: ledger/emea/, format: csv }   # csv | json | ndjson | parquet, + options
                columns:                    # optional: declared input schema (applied, drift reported)
                  - { name: entry_id, type: varchar, required: true }
                  - { name: amount, type: decimal(18,2) }
              - name: fx_rates
                product: treasury.fx-rates  # another product's published output
                versions: ^1                # semver range accepted
            transform: { sql: transform.sql }  # DuckDB SQL; a SELECT whose result is the output
            output:
              contract: contract.odcs.yaml  # schema, classification, quality rules (ODCS v3)
              format: parquet
              partitionBy: [period]         # optional
            sla: { freshness: PT24H }       # ISO 8601 duration: max age of the newest version
            access: { visibility: public }  # public | domain | restricted (+ readers)

            """;
        var folder = ProductFixtures.WriteProduct(_temp, spec);

        // Act
        var result = ProductSpecLoader.Read(folder);

        // Assert
        var warning = Assert.Single(result.Diagnostics);
        Assert.Equal(SpecDiagnosticCodes.UnquotedComma, warning.Code);
        Assert.Equal("finance.ledger-emea", result.Spec!.Id);
        Assert.Equal(["gl_entries", "fx_rates"], result.Spec.Inputs.Select(i => i.Name));
        Assert.Equal("decimal(18,2)", result.Spec.Inputs[0].Columns[1].Type);
        Assert.Equal("^1", result.Spec.Inputs[1].Versions);
    }

    [Fact]
    public void Load_MinimalSpec_AppliesDefaults()
    {
        // Arrange
        var spec = """
            apiVersion: datamesh/v1
            kind: DataProduct
            domain: finance
            name: ledger-emea
            version: 1.2.0
            inputs:
              - name: gl_entries
                landing: { path: ledger/emea/, format: csv }
              - name: fx_rates
                product: treasury.fx-rates
            transform: { sql: transform.sql }
            output: { contract: contract.odcs.yaml }

            """;
        var folder = ProductFixtures.WriteProduct(_temp, spec);

        // Act
        var product = ProductSpecLoader.Load(folder);

        // Assert
        Assert.Equal("*", product.Inputs[1].Versions);
        Assert.Equal("domain", product.Access.Visibility);
        Assert.Equal("parquet", product.Output.Format);
        Assert.Null(product.Freshness);
        Assert.Equal(StageLimits.Default, product.Limits);
        Assert.Equal(TimeSpan.FromMinutes(30), product.Limits.Transform);
        Assert.Empty(product.Tags);
        Assert.Empty(product.Inputs[0].Landing!.Options);
    }

    [Fact]
    public void Validate_ValidSpec_ReturnsNoDiagnostics()
    {
        // Arrange
        var folder = ProductFixtures.WriteProduct(_temp, ProductFixtures.MinimalSpec);

        // Act
        var diagnostics = ProductSpecLoader.Validate(folder);

        // Assert
        Assert.Empty(diagnostics);
    }

    [Fact]
    public void Validate_YamlSyntaxError_ReportsDM1001AtParserPosition()
    {
        // Arrange: the flow mapping on line 8 is never closed.
        var spec = ProductFixtures.MinimalSpec.Replace("format: csv }", "format: csv", StringComparison.Ordinal);

        // Act
        var diagnostic = Assert.Single(Diagnose(spec));

        // Assert
        Assert.Equal("DM1001", diagnostic.Code);
        Assert.Equal(9, diagnostic.Line);
        Assert.Equal(1, diagnostic.Column);
    }

    [Fact]
    public void Validate_BadIndentation_ReportsDM1001AtTheLine()
    {
        // Arrange
        var spec = """
            apiVersion: datamesh/v1
            kind: DataProduct
             domain: finance

            """;

        // Act
        var diagnostic = Assert.Single(Diagnose(spec));

        // Assert
        Assert.Equal(SpecDiagnosticCodes.YamlSyntax, diagnostic.Code);
        Assert.Equal(3, diagnostic.Line);
    }

    [Fact]
    public void Validate_DuplicateKey_ReportsDM1001AtTheSecondKey()
    {
        // Arrange
        var spec = ProductFixtures.MinimalSpec + "name: other\n";

        // Act
        var diagnostic = Assert.Single(Diagnose(spec));

        // Assert
        Assert.Equal(SpecDiagnosticCodes.YamlSyntax, diagnostic.Code);
        Assert.Equal(11, diagnostic.Line);
    }

    [Fact]
    public void Validate_UnknownTopLevelKey_ReportsDM1002NamingFileFieldAndAllowedKeys()
    {
        // Arrange
        var spec = ProductFixtures.MinimalSpec.Replace("version: 1.2.0\n", "version: 1.2.0\nowners: [me]\n", StringComparison.Ordinal);
        var folder = ProductFixtures.WriteProduct(_temp, spec);

        // Act
        var diagnostic = Assert.Single(ProductSpecLoader.Validate(folder));

        // Assert
        Assert.Equal("DM1002", diagnostic.Code);
        Assert.Equal(6, diagnostic.Line);
        Assert.Equal(1, diagnostic.Column);
        Assert.Equal(Path.Combine(folder, "product.yaml"), diagnostic.File);
        Assert.StartsWith("owners: unknown key (did you mean 'owner'?)", diagnostic.Message, StringComparison.Ordinal);
        Assert.Contains("apiVersion, kind, domain, name, version, description, owner, tags, inputs, transform, output, sla, access", diagnostic.Message, StringComparison.Ordinal);
        Assert.StartsWith($"{Path.Combine(folder, "product.yaml")}:6:1: error DM1002: owners", diagnostic.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_UnknownNestedKey_ReportsDM1002WithFieldPath()
    {
        // Arrange
        var spec = ProductFixtures.MinimalSpec.Replace("format: csv", "fromat: csv", StringComparison.Ordinal);

        // Act
        var diagnostics = Diagnose(spec);

        // Assert
        var unknown = Assert.Single(diagnostics, d => d.Code == SpecDiagnosticCodes.UnknownKey);
        Assert.Equal(8, unknown.Line);
        Assert.Equal(36, unknown.Column);
        Assert.StartsWith("inputs[0].landing.fromat: unknown key (did you mean 'format'?)", unknown.Message, StringComparison.Ordinal);
        var missing = Assert.Single(diagnostics, d => d.Code == SpecDiagnosticCodes.MissingField);
        Assert.StartsWith("inputs[0].landing.format: missing required field", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_MissingName_ReportsDM1003NamingFileAndField()
    {
        // Arrange
        var spec = ProductFixtures.MinimalSpec.Replace("name: ledger-emea\n", "", StringComparison.Ordinal);
        var folder = ProductFixtures.WriteProduct(_temp, spec);

        // Act
        var diagnostic = Assert.Single(ProductSpecLoader.Validate(folder));

        // Assert
        Assert.Equal("DM1003", diagnostic.Code);
        Assert.Equal(1, diagnostic.Line);
        Assert.Equal(Path.Combine(folder, "product.yaml"), diagnostic.File);
        Assert.StartsWith("name: missing required field; add the product name in kebab-case", diagnostic.Message, StringComparison.Ordinal);
        Assert.Contains("product.yaml:1:1: error DM1003: name: missing required field", diagnostic.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_EmptyRequiredField_ReportsDM1003AtTheKey()
    {
        // Arrange
        var spec = ProductFixtures.MinimalSpec.Replace("domain: finance", "domain:", StringComparison.Ordinal);

        // Act
        var diagnostic = Assert.Single(Diagnose(spec));

        // Assert
        Assert.Equal(SpecDiagnosticCodes.MissingField, diagnostic.Code);
        Assert.Equal(3, diagnostic.Line);
        Assert.StartsWith("domain: required field is empty", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_NestedMissingField_ReportsDM1003AtTheMapping()
    {
        // Arrange
        var spec = ProductFixtures.MinimalSpec.Replace("transform: { sql: transform.sql }", "transform: {}", StringComparison.Ordinal);

        // Act
        var diagnostic = Assert.Single(Diagnose(spec));

        // Assert
        Assert.Equal(SpecDiagnosticCodes.MissingField, diagnostic.Code);
        Assert.Equal(9, diagnostic.Line);
        Assert.StartsWith("transform.sql: missing required field", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_EmptyInputs_ReportsDM1003()
    {
        // Arrange
        var spec = """
            apiVersion: datamesh/v1
            kind: DataProduct
            domain: finance
            name: ledger-emea
            version: 1.2.0
            inputs: []
            transform: { sql: transform.sql }
            output: { contract: contract.odcs.yaml }

            """;

        // Act
        var diagnostic = Assert.Single(Diagnose(spec));

        // Assert
        Assert.Equal(SpecDiagnosticCodes.MissingField, diagnostic.Code);
        Assert.Equal(6, diagnostic.Line);
        Assert.StartsWith("inputs: the list is empty", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_InputsNotAList_ReportsDM1004()
    {
        // Arrange
        var spec = """
            apiVersion: datamesh/v1
            kind: DataProduct
            domain: finance
            name: ledger-emea
            version: 1.2.0
            inputs:
              name: gl_entries
            transform: { sql: transform.sql }
            output: { contract: contract.odcs.yaml }

            """;

        // Act
        var diagnostic = Assert.Single(Diagnose(spec));

        // Assert
        Assert.Equal("DM1004", diagnostic.Code);
        Assert.Equal(7, diagnostic.Line);
        Assert.Equal(3, diagnostic.Column);
        Assert.Equal("inputs: must be a list, found a mapping.", diagnostic.Message);
    }

    [Fact]
    public void Validate_BooleanOptionNotBoolean_ReportsDM1004()
    {
        // Arrange
        var spec = ProductFixtures.MinimalSpec.Replace("format: csv }", "format: csv, header: 'yes' }", StringComparison.Ordinal);

        // Act
        var diagnostic = Assert.Single(Diagnose(spec));

        // Assert
        Assert.Equal(SpecDiagnosticCodes.WrongType, diagnostic.Code);
        Assert.Equal(8, diagnostic.Line);
        Assert.StartsWith("inputs[0].landing.header: must be true or false", diagnostic.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("version: 1.2", "DM1005", 5, "version: '1.2' is not a semantic version")]
    [InlineData("version: v1.2.0", "DM1005", 5, "version: 'v1.2.0' is not a semantic version")]
    [InlineData("apiVersion: datamesh/v2", "DM1006", 1, "apiVersion: 'datamesh/v2' is not supported")]
    [InlineData("kind: Product", "DM1007", 2, "kind: 'Product' is not a product spec kind")]
    [InlineData("name: Ledger_EMEA", "DM1008", 4, "name: 'Ledger_EMEA' is not kebab-case")]
    [InlineData("domain: Finance", "DM1008", 3, "domain: 'Finance' is not kebab-case")]
    public void Validate_BadTopLevelValue_ReportsCodeAtLine(string replacement, string code, int line, string message)
    {
        // Arrange
        var key = replacement[..replacement.IndexOf(':', StringComparison.Ordinal)];
        var lines = ProductFixtures.MinimalSpec.Split('\n');
        var spec = string.Join('\n', lines.Select(l => l.StartsWith(key + ":", StringComparison.Ordinal) ? replacement : l));

        // Act
        var diagnostics = Diagnose(spec);

        // Assert
        var diagnostic = Assert.Single(diagnostics, d => d.Code == code);
        Assert.Equal(line, diagnostic.Line);
        Assert.StartsWith(message, diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_DomainDiffersFromPipelinesFolder_ReportsDM1009()
    {
        // Arrange
        var folder = ProductFixtures.WriteProduct(_temp, ProductFixtures.MinimalSpec, relativeFolder: Path.Combine("pipelines", "marketing", "ledger-emea"));

        // Act
        var diagnostic = Assert.Single(ProductSpecLoader.Validate(folder));

        // Assert
        Assert.Equal("DM1009", diagnostic.Code);
        Assert.Equal(3, diagnostic.Line);
        Assert.Contains("'marketing'", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_DomainMatchesPipelinesFolder_ReportsNothing()
    {
        // Arrange
        var folder = ProductFixtures.WriteProduct(_temp, ProductFixtures.MinimalSpec, relativeFolder: Path.Combine("pipelines", "finance", "ledger-emea"));

        // Act
        var diagnostics = ProductSpecLoader.Validate(folder);

        // Assert
        Assert.Empty(diagnostics);
    }

    [Theory]
    [InlineData("24h")]
    [InlineData("PT0S")]
    [InlineData("-PT1H")]
    public void Validate_BadFreshness_ReportsDM1010(string freshness)
    {
        // Arrange
        var spec = ProductFixtures.MinimalSpec + $"sla: {{ freshness: {freshness} }}\n";

        // Act
        var diagnostic = Assert.Single(Diagnose(spec));

        // Assert
        Assert.Equal("DM1010", diagnostic.Code);
        Assert.Equal(11, diagnostic.Line);
        Assert.StartsWith($"sla.freshness: '{freshness}' is not a positive ISO 8601 duration", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_InputNameNotIdentifier_ReportsDM1011()
    {
        // Arrange
        var spec = ProductFixtures.MinimalSpec.Replace("name: gl_entries", "name: gl-entries", StringComparison.Ordinal);

        // Act
        var diagnostic = Assert.Single(Diagnose(spec));

        // Assert
        Assert.Equal("DM1011", diagnostic.Code);
        Assert.Equal(7, diagnostic.Line);
        Assert.Equal(11, diagnostic.Column);
        Assert.Contains("inputs[0].name: 'gl-entries' is not a SQL identifier", diagnostic.Message, StringComparison.Ordinal);
        Assert.Contains("gl_entries", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_DuplicateInputName_ReportsDM1012OnTheSecond()
    {
        // Arrange
        var spec = """
            apiVersion: datamesh/v1
            kind: DataProduct
            domain: finance
            name: ledger-emea
            version: 1.2.0
            inputs:
              - name: gl_entries
                landing: { path: ledger/emea/, format: csv }
              - name: gl_entries
                product: treasury.fx-rates
            transform: { sql: transform.sql }
            output: { contract: contract.odcs.yaml }

            """;

        // Act
        var diagnostic = Assert.Single(Diagnose(spec));

        // Assert
        Assert.Equal("DM1012", diagnostic.Code);
        Assert.Equal(9, diagnostic.Line);
        Assert.Contains("inputs[1].name: 'gl_entries' is already used by inputs[0]", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_InputWithLandingAndProduct_ReportsDM1013()
    {
        // Arrange
        var spec = ProductFixtures.MinimalSpec.Replace("format: csv }\n", "format: csv }\n    product: treasury.fx-rates\n", StringComparison.Ordinal);

        // Act
        var diagnostic = Assert.Single(Diagnose(spec));

        // Assert
        Assert.Equal("DM1013", diagnostic.Code);
        Assert.Equal(9, diagnostic.Line);
        Assert.StartsWith("inputs[0]: has both landing and product", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_InputWithNeitherLandingNorProduct_ReportsDM1013AtTheInput()
    {
        // Arrange
        var spec = ProductFixtures.MinimalSpec.Replace("    landing: { path: ledger/emea/, format: csv }\n", "", StringComparison.Ordinal);

        // Act
        var diagnostic = Assert.Single(Diagnose(spec));

        // Assert
        Assert.Equal("DM1013", diagnostic.Code);
        Assert.Equal(7, diagnostic.Line);
        Assert.Equal(5, diagnostic.Column);
    }

    [Fact]
    public void Validate_VersionsOnLandingInput_ReportsDM1013()
    {
        // Arrange
        var spec = ProductFixtures.MinimalSpec.Replace("format: csv }\n", "format: csv }\n    versions: ^1\n", StringComparison.Ordinal);

        // Act
        var diagnostic = Assert.Single(Diagnose(spec));

        // Assert
        Assert.Equal("DM1013", diagnostic.Code);
        Assert.Equal(9, diagnostic.Line);
        Assert.StartsWith("inputs[0].versions: only applies to product inputs", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_UnsupportedLandingFormat_ReportsDM1014WithFieldPath()
    {
        // Arrange
        var spec = ProductFixtures.MinimalSpec.Replace("format: csv", "format: xlsx", StringComparison.Ordinal);

        // Act
        var diagnostic = Assert.Single(Diagnose(spec));

        // Assert
        Assert.Equal("DM1014", diagnostic.Code);
        Assert.Equal(8, diagnostic.Line);
        Assert.Equal(44, diagnostic.Column);
        Assert.Equal("inputs[0].landing.format: 'xlsx' is not a supported format; use one of csv, json, ndjson, parquet.", diagnostic.Message);
    }

    [Theory]
    [InlineData("path: /ledger/emea/", "must be a relative path")]
    [InlineData("path: ledger/../../secrets/", "must not climb out with '..'")]
    public void Validate_LandingPathNotRelative_ReportsDM1015(string path, string problem)
    {
        // Arrange
        var spec = ProductFixtures.MinimalSpec.Replace("path: ledger/emea/", path, StringComparison.Ordinal);

        // Act
        var diagnostic = Assert.Single(Diagnose(spec));

        // Assert
        Assert.Equal("DM1015", diagnostic.Code);
        Assert.Equal(8, diagnostic.Line);
        Assert.Contains(problem, diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_TransformSqlOutsideFolder_ReportsDM1015()
    {
        // Arrange
        var spec = ProductFixtures.MinimalSpec.Replace("sql: transform.sql", "sql: ../shared/transform.sql", StringComparison.Ordinal);

        // Act
        var diagnostic = Assert.Single(Diagnose(spec));

        // Assert
        Assert.Equal("DM1015", diagnostic.Code);
        Assert.Equal(9, diagnostic.Line);
        Assert.StartsWith("transform.sql: '../shared/transform.sql' must not climb out", diagnostic.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("product: fx-rates", "'fx-rates' is not a product id")]
    [InlineData("product: treasury.FX", "'treasury.FX' is not a product id")]
    [InlineData("product: finance.ledger-emea", "reads its own output")]
    public void Validate_BadProductReference_ReportsDM1016(string product, string message)
    {
        // Arrange
        var spec = ProductFixtures.MinimalSpec.Replace("landing: { path: ledger/emea/, format: csv }", product, StringComparison.Ordinal);

        // Act
        var diagnostic = Assert.Single(Diagnose(spec));

        // Assert
        Assert.Equal("DM1016", diagnostic.Code);
        Assert.Equal(8, diagnostic.Line);
        Assert.Contains(message, diagnostic.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bogus")]
    [InlineData("'>=1 <<2'")]
    public void Validate_BadVersionRange_ReportsDM1017(string range)
    {
        // Arrange
        var spec = ProductFixtures.MinimalSpec.Replace(
            "landing: { path: ledger/emea/, format: csv }", $"product: treasury.fx-rates\n    versions: {range}", StringComparison.Ordinal);

        // Act
        var diagnostic = Assert.Single(Diagnose(spec));

        // Assert
        Assert.Equal("DM1017", diagnostic.Code);
        Assert.Equal(9, diagnostic.Line);
        Assert.StartsWith("inputs[0].versions:", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_BadVisibility_ReportsDM1018()
    {
        // Arrange
        var spec = ProductFixtures.MinimalSpec + "access:\n  visibility: everyone\n";

        // Act
        var diagnostic = Assert.Single(Diagnose(spec));

        // Assert
        Assert.Equal("DM1018", diagnostic.Code);
        Assert.Equal(12, diagnostic.Line);
        Assert.Equal(15, diagnostic.Column);
        Assert.StartsWith("access.visibility: 'everyone' is not a visibility", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_MissingContractAndSql_ReportsDM1019AtTheKeysThatNameThem()
    {
        // Arrange
        var folder = ProductFixtures.WriteProduct(_temp, ProductFixtures.MinimalSpec, contract: null, sql: null);

        // Act
        var diagnostics = ProductSpecLoader.Validate(folder);

        // Assert
        Assert.Equal(2, diagnostics.Count);
        Assert.All(diagnostics, d => Assert.Equal("DM1019", d.Code));
        Assert.Equal(9, diagnostics[0].Line);
        Assert.StartsWith("transform.sql: 'transform.sql' not found", diagnostics[0].Message, StringComparison.Ordinal);
        Assert.Equal(10, diagnostics[1].Line);
        Assert.StartsWith("output.contract: 'contract.odcs.yaml' not found", diagnostics[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ContractVersionDiffers_ReportsDM1020NamingBothFiles()
    {
        // Arrange
        var contract = ProductFixtures.Contract.Replace("version: 1.2.0", "version: 1.1.0", StringComparison.Ordinal);
        var folder = ProductFixtures.WriteProduct(_temp, ProductFixtures.MinimalSpec, contract: contract);

        // Act
        var diagnostic = Assert.Single(ProductSpecLoader.Validate(folder));

        // Assert
        Assert.Equal("DM1020", diagnostic.Code);
        Assert.Equal(5, diagnostic.Line);
        Assert.Contains("product.yaml says 1.2.0", diagnostic.Message, StringComparison.Ordinal);
        Assert.Contains("contract.odcs.yaml says 1.1.0", diagnostic.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("delimiter: ''", "inputs[0].landing.delimiter")]
    [InlineData("skip: -1", "inputs[0].landing.skip")]
    [InlineData("compression: rar", "inputs[0].landing.compression")]
    public void Validate_BadLandingOption_ReportsDM1021(string option, string field)
    {
        // Arrange
        var spec = ProductFixtures.MinimalSpec.Replace("format: csv }", $"format: csv, {option} }}", StringComparison.Ordinal);

        // Act
        var diagnostic = Assert.Single(Diagnose(spec));

        // Assert
        Assert.Equal("DM1021", diagnostic.Code);
        Assert.Equal(8, diagnostic.Line);
        Assert.StartsWith(field, diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_OptionOfAnotherFormat_ReportsDM1002()
    {
        // Arrange
        var spec = ProductFixtures.MinimalSpec.Replace("format: csv }", "format: parquet, delimiter: ';' }", StringComparison.Ordinal);

        // Act
        var diagnostic = Assert.Single(Diagnose(spec));

        // Assert
        Assert.Equal(SpecDiagnosticCodes.UnknownKey, diagnostic.Code);
        Assert.StartsWith("inputs[0].landing.delimiter: unknown key", diagnostic.Message, StringComparison.Ordinal);
        Assert.EndsWith("use one of: path, format.", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_BadColumns_ReportsDM1022ForEach()
    {
        // Arrange
        var spec = ProductFixtures.MinimalSpec.Replace(
            "format: csv }\n",
            "format: csv }\n    columns:\n      - { name: id, type: varchar }\n      - { name: ID, type: bigint }\n      - { name: note, type: \"varchar'); DROP\" }\n",
            StringComparison.Ordinal);

        // Act
        var diagnostics = Diagnose(spec);

        // Assert
        Assert.Equal(2, diagnostics.Count);
        Assert.All(diagnostics, d => Assert.Equal("DM1022", d.Code));
        Assert.Equal((11, "inputs[0].columns[1].name"), (diagnostics[0].Line, diagnostics[0].Message.Split(':')[0]));
        Assert.Equal((12, "inputs[0].columns[2].type"), (diagnostics[1].Line, diagnostics[1].Message.Split(':')[0]));
    }

    [Fact]
    public void Validate_UnquotedDecimalInFlowMapping_JoinsTheTypeAndWarnsDM1026()
    {
        // Arrange: DESIGN §4 writes { name: amount, type: decimal(18,2) }, which YAML splits at the comma.
        var spec = ProductFixtures.MinimalSpec.Replace(
            "format: csv }\n", "format: csv }\n    columns:\n      - { name: amount, type: decimal(18, 2), required: true }\n", StringComparison.Ordinal);
        var folder = ProductFixtures.WriteProduct(_temp, spec);

        // Act
        var result = ProductSpecLoader.Read(folder);

        // Assert
        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal(("DM1026", DiagnosticSeverity.Warning, 10, 31), (diagnostic.Code, diagnostic.Severity, diagnostic.Line, diagnostic.Column));
        Assert.Contains("type: 'decimal(18,2)'", diagnostic.Message, StringComparison.Ordinal);
        Assert.Equal(new InputColumn("amount", "decimal(18,2)", true), Assert.Single(result.Spec!.Inputs[0].Columns));
    }

    [Fact]
    public void Validate_ColumnWithoutType_ReportsDM1003()
    {
        // Arrange
        var spec = ProductFixtures.MinimalSpec.Replace("format: csv }\n", "format: csv }\n    columns:\n      - name: id\n", StringComparison.Ordinal);

        // Act
        var diagnostic = Assert.Single(Diagnose(spec));

        // Assert
        Assert.Equal(SpecDiagnosticCodes.MissingField, diagnostic.Code);
        Assert.Equal(10, diagnostic.Line);
        Assert.StartsWith("inputs[0].columns[0].type: missing required field", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_UnsupportedOutputFormat_ReportsDM1023()
    {
        // Arrange
        var spec = ProductFixtures.MinimalSpec.Replace("output: { contract: contract.odcs.yaml }", "output: { contract: contract.odcs.yaml, format: csv }", StringComparison.Ordinal);

        // Act
        var diagnostic = Assert.Single(Diagnose(spec));

        // Assert
        Assert.Equal("DM1023", diagnostic.Code);
        Assert.Equal(10, diagnostic.Line);
    }

    [Fact]
    public void Validate_PartitionByUnknownColumn_ReportsDM1024()
    {
        // Arrange
        var spec = ProductFixtures.MinimalSpec.Replace(
            "output: { contract: contract.odcs.yaml }", "output:\n  contract: contract.odcs.yaml\n  partitionBy: [period, region]", StringComparison.Ordinal);

        // Act
        var diagnostic = Assert.Single(Diagnose(spec));

        // Assert
        Assert.Equal("DM1024", diagnostic.Code);
        Assert.Equal(12, diagnostic.Line);
        Assert.Equal(25, diagnostic.Column);
        Assert.StartsWith("output.partitionBy: 'region' is not a property of 'ledger_emea'", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_EmptyTransformSql_ReportsDM1025()
    {
        // Arrange
        var folder = ProductFixtures.WriteProduct(_temp, ProductFixtures.MinimalSpec, sql: "  \n");

        // Act
        var diagnostic = Assert.Single(ProductSpecLoader.Validate(folder));

        // Assert
        Assert.Equal("DM1025", diagnostic.Code);
        Assert.Equal(9, diagnostic.Line);
    }

    [Fact]
    public void Validate_NoProductYaml_ReportsDM1000()
    {
        // Arrange
        var folder = Path.Combine(_temp.Path, "empty");
        Directory.CreateDirectory(folder);

        // Act
        var diagnostic = Assert.Single(ProductSpecLoader.Validate(folder));

        // Assert
        Assert.Equal("DM1000", diagnostic.Code);
        Assert.Equal(Path.Combine(folder, "product.yaml"), diagnostic.File);
    }

    [Fact]
    public void Validate_ContractErrors_ReportedInTheContractFile()
    {
        // Arrange
        var contract = ProductFixtures.Contract.Replace("metric: nullValues", "metric: nullCount", StringComparison.Ordinal);
        var folder = ProductFixtures.WriteProduct(_temp, ProductFixtures.MinimalSpec, contract: contract);

        // Act
        var diagnostic = Assert.Single(ProductSpecLoader.Validate(folder));

        // Assert
        Assert.Equal(ContractDiagnosticCodes.UnknownMetric, diagnostic.Code);
        Assert.Equal(Path.Combine(folder, "contract.odcs.yaml"), diagnostic.File);
        Assert.Equal(24, diagnostic.Line);
    }

    [Fact]
    public void Load_SeveralErrors_ThrowsWithEveryDiagnostic()
    {
        // Arrange
        var spec = """
            apiVersion: datamesh/v1
            kind: DataProduct
            domain: Finance
            version: one
            inputs:
              - name: gl-entries
                landing: { path: /abs/, format: xlsx }
            transform: { sql: transform.sql }
            output: { contract: missing.odcs.yaml }
            colour: blue

            """;
        var folder = ProductFixtures.WriteProduct(_temp, spec);

        // Act
        var exception = Assert.Throws<SpecValidationException>(() => ProductSpecLoader.Load(folder));

        // Assert
        Assert.Equal(
            [
                ("DM1003", 1), ("DM1008", 3), ("DM1005", 4), ("DM1011", 6), ("DM1015", 7), ("DM1014", 7), ("DM1019", 9), ("DM1002", 10),
            ],
            exception.Diagnostics.Select(d => (d.Code, d.Line)));
        Assert.Contains("name: missing required field", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FindProductDirectories_NestedFolders_ReturnsProductFoldersSorted()
    {
        // Arrange
        _temp.Write("pipelines/treasury/fx-rates/product.yaml", "x");
        _temp.Write("pipelines/finance/ledger-emea/product.yaml", "x");
        _temp.Write("pipelines/finance/ledger-apac/product.yaml", "x");
        _temp.Write("pipelines/finance/notes/readme.md", "x");
        _temp.Write("pipelines/.datamesh/cache/product.yaml", "x");
        _temp.Write("pipelines/node_modules/pkg/product.yaml", "x");

        // Act
        var folders = ProductSpecLoader.FindProductDirectories(Path.Combine(_temp.Path, "pipelines"));

        // Assert
        Assert.Equal(
            [
                Path.Combine(_temp.Path, "pipelines", "finance", "ledger-apac"),
                Path.Combine(_temp.Path, "pipelines", "finance", "ledger-emea"),
                Path.Combine(_temp.Path, "pipelines", "treasury", "fx-rates"),
            ],
            folders);
    }

    [Fact]
    public void FindProductDirectories_MissingRoot_Throws()
    {
        // Arrange
        var root = Path.Combine(_temp.Path, "nowhere");

        // Act
        var act = () => ProductSpecLoader.FindProductDirectories(root);

        // Assert
        Assert.Throws<DirectoryNotFoundException>(act);
    }

    [Fact]
    public void DisplayPathFor_FileBelowWorkingDirectory_IsRelative()
    {
        // Arrange
        var full = Path.Combine(Environment.CurrentDirectory, "pipelines", "finance", "product.yaml");

        // Act
        var shown = DisplayPath.For(full);

        // Assert
        Assert.Equal(Path.Combine("pipelines", "finance", "product.yaml"), shown);
    }

    [Fact]
    public void DisplayPathFor_FileOutsideWorkingDirectory_IsAbsolute()
    {
        // Arrange
        var full = Path.Combine(Path.GetDirectoryName(Environment.CurrentDirectory)!, "elsewhere", "product.yaml");

        // Act
        var shown = DisplayPath.For(full);

        // Assert
        Assert.Equal(full, shown);
    }

    private IReadOnlyList<SpecDiagnostic> Diagnose(string spec) =>
        ProductSpecLoader.Validate(ProductFixtures.WriteProduct(_temp, spec));
}
