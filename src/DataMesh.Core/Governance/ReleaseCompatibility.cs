using DataMesh.Contracts;
using DataMesh.Specs;

namespace DataMesh.Governance;

/// <summary>
/// Checks a product's version against an earlier release of its contract (a git ref, later the catalog): the
/// version must grow at least as much as the contract changed (DM2040, at <c>version</c> in <c>product.yaml</c>).
/// </summary>
public static class ReleaseCompatibility
{
    /// <summary>The finding when <paramref name="product"/>'s version is too small for its changes since <paramref name="previous"/>; empty otherwise.</summary>
    /// <param name="product">The product as it is now.</param>
    /// <param name="previous">Its contract at the earlier release.</param>
    /// <param name="previousLabel">How the earlier release is named in the message, e.g. <c>origin/main</c>.</param>
    public static IReadOnlyList<SpecDiagnostic> Check(ProductSpec product, DataContract previous, string previousLabel)
    {
        ArgumentNullException.ThrowIfNull(product);
        ArgumentNullException.ThrowIfNull(previous);
        var diff = ContractComparer.Compare(previous, product.Contract);
        if (diff.VersionSufficient)
        {
            return [];
        }

        var where = YamlSourceMap.Read(product.SpecPath).Locate("version");
        var needed = diff.Changes.Where(c => c.Bump == diff.Required).Select(c => c.Description).ToList();
        var shown = string.Join("; ", needed.Take(5)) + (needed.Count > 5 ? $"; and {needed.Count - 5} more" : "");
        var message = diff.Required == VersionBump.None
            ? $"version: {product.Version} is lower than {diff.OldVersion} at {previousLabel}; versions never go down, use {diff.OldVersion} or later."
            : $"version: {product.Version} is {Describe(diff.Declared)} over {diff.OldVersion} at {previousLabel}, but the contract needs a {diff.Required.ToString().ToLowerInvariant()} bump ({shown}); use {diff.SuggestedVersion} or later (datamesh diff shows every change).";
        return [new SpecDiagnostic(where.File, where.Line, where.Column, PolicyDiagnosticCodes.VersionBumpTooSmall, message)];
    }

    private static string Describe(VersionBump bump) => bump == VersionBump.None ? "no bump" : "a " + bump.ToString().ToLowerInvariant() + " bump";
}
