using DataMesh.Testing;

namespace DataMesh.EndToEnd.Tests;

/// <summary>
/// Issue 17's report: a restricted product's contract said <c>property: maskng</c>, the platform ignored the entry and
/// published the patient id in clear. A near miss of a custom property the platform reads is now a contract error
/// (DM2051), so <c>validate</c> fails and <c>run</c> refuses the product before any data is read or published.
/// </summary>
[Trait("Category", "Security")]
public sealed class ContractStrictnessSecurityTests : IDisposable
{
    private const string Admissions = "visit_id,patient_id,ward,minutes\n1,P-0001,north,30\n2,P-0002,south,45\n";

    private readonly string _root = Directory.CreateTempSubdirectory("dm-maskng-").FullName;

    public ContractStrictnessSecurityTests()
    {
        // The corpus case: a restricted patient_id whose masking entry is misspelt.
        var source = Path.Combine(ValidateCorpusFixture.Corpus, "masking-property-maskng");
        Folders.Copy(source, _root, include: file => Path.GetFileName(file) != "expected.txt");

        File.WriteAllText(Path.Combine(_root, "admissions.csv"), Admissions);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private Task<CliRunner.CliResult> CliAsync(params string[] args) =>
        CliRunner.RunAsync(_root, new Dictionary<string, string> { ["DATAMESH_HOME"] = Path.Combine(_root, ".datamesh") }, args);

    [Fact]
    public async Task Validate_RestrictedColumnWithMisspeltMasking_FailsAtTheEntry()
    {
        // Act
        var result = await CliAsync("validate", ".");

        // Assert
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("clinic/visits/contract.odcs.yaml:20:40: error DM2051:", result.StdOut + result.StdErr, StringComparison.Ordinal);
        Assert.Contains("did you mean 'masking'?", result.StdOut + result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_RestrictedColumnWithMisspeltMasking_IsRefusedAndPublishesNothing()
    {
        // Act: the pipeline run a user starts on the product with its landing file.
        var result = await CliAsync("run", Path.Combine("clinic", "visits"), "--input", "admissions.csv");

        // Assert: refused with the contract's diagnostic, before any mesh (storage, Azurite) was started: nothing published.
        var output = result.StdOut + result.StdErr;
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("error DM2051:", output, StringComparison.Ordinal);
        Assert.DoesNotContain("P-0001", output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_root, ".datamesh")), "run started a mesh for a product it must refuse");
    }
}
