using DataMesh.Specs;

namespace DataMesh.Contracts;

/// <summary>Loads ODCS v3 data contracts (v3.0.x and v3.1.0) with line-and-column diagnostics (codes DM11xx).</summary>
/// <remarks>
/// ODCS fields the platform does not use (servers, team, roles, price, customProperties...) are tolerated, but every
/// key must be one the ODCS object it sits in defines (DM2050, <see cref="OdcsKeyCheck"/>); the fields it reads are
/// checked strictly. Rules of type <c>text</c> or <c>custom</c> are kept in
/// <see cref="DataContract.UnsupportedQuality"/> with a warning, never evaluated.
/// </remarks>
public static class ContractLoader
{
    /// <summary>Loads a contract used as an output port: it must have at least one schema object with at least one property.</summary>
    /// <exception cref="SpecValidationException">The contract has errors; every one found is listed.</exception>
    public static DataContract Load(string path)
    {
        var result = Read(path);
        return result.Contract ?? throw new SpecValidationException(result.Diagnostics);
    }

    /// <summary>Every diagnostic of the contract at <paramref name="path"/> (as an output port), without throwing.</summary>
    public static IReadOnlyList<SpecDiagnostic> Validate(string path) => Read(path).Diagnostics;

    /// <summary>
    /// Reads a contract. <paramref name="requireSchema"/> false accepts contracts without schema objects or
    /// properties, which ODCS allows (e.g. a team-only contract) but a product's output contract cannot be.
    /// </summary>
    public static ContractLoadResult Read(string path, bool requireSchema = true)
    {
        var reader = ContractReader.Read(Path.GetFullPath(path), requireSchema);
        return new ContractLoadResult(reader.Contract, reader.Diagnostics);
    }

    /// <summary>
    /// Reads contract text that is not a file of its own — a release's contract snapshot, a contract at a git
    /// revision; <paramref name="source"/> names it in diagnostics. Such text is only compared with, so keys, custom
    /// property names and masking kinds are not checked (DM2050-DM2052): a snapshot published before a check existed still loads.
    /// </summary>
    public static ContractLoadResult Parse(string text, string source, bool requireSchema = true)
    {
        var reader = ContractReader.Parse(text, source, requireSchema);
        return new ContractLoadResult(reader.Contract, reader.Diagnostics);
    }
}
