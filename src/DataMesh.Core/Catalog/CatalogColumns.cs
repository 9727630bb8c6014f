namespace DataMesh.Catalog;

/// <summary>Property names of the catalog tables, shared by the projection that writes and the reader that reads.</summary>
internal static class CatalogColumns
{
    internal const string ProductId = "ProductId";
    internal const string Domain = "Domain";
    internal const string Name = "Name";
    internal const string DeclaredVersion = "DeclaredVersion";
    internal const string Description = "Description";
    internal const string OwnerTeam = "OwnerTeam";
    internal const string OwnerEmail = "OwnerEmail";
    internal const string Tags = "Tags";

    internal const string Readers = "Readers";
    internal const string Visibility = "Visibility";
    internal const string Freshness = "Freshness";
    internal const string StaleSince = "StaleSince";
    internal const string StaleRelease = "StaleRelease";
    internal const string RegisteredAt = "RegisteredAt";
    internal const string DeclaredAt = "DeclaredAt";
    internal const string RegistrationHash = "RegistrationHash";
    internal const string Withdrawn = "Withdrawn";
    internal const string LatestVersion = "LatestVersion";
    internal const string LatestRelease = "LatestRelease";
    internal const string LatestRunId = "LatestRunId";
    internal const string UpdatedAt = "UpdatedAt";

    internal const string Version = "Version";
    internal const string Release = "Release";
    internal const string RunId = "RunId";
    internal const string Location = "Location";
    internal const string Rows = "Rows";
    internal const string SchemaHash = "SchemaHash";
    internal const string QualityPassed = "QualityPassed";
    internal const string Quality = "Quality";
    internal const string QualityRulesOmitted = "QualityRulesOmitted";
    internal const string Upstream = "Upstream";
    internal const string UpstreamOmitted = "UpstreamOmitted";
    internal const string Landing = "Landing";
    internal const string LandingOmitted = "LandingOmitted";
    internal const string PublishedAt = "PublishedAt";
    internal const string DataEndpoint = "DataEndpoint";
    internal const string Changes = "Changes";

    internal const string Status = "Status";
    internal const string Stage = "Stage";
    internal const string Error = "Error";
    internal const string Quarantined = "Quarantined";
    internal const string QuarantinedOmitted = "QuarantinedOmitted";
    internal const string File = "File";
    internal const string LandingName = "LandingName";
    internal const string FailedRules = "FailedRules";
    internal const string Replayable = "Replayable";
    internal const string NotReplayable = "NotReplayable";
    internal const string KeptInLanding = "KeptInLanding";
    internal const string At = "At";
    internal const string EventId = "EventId";
    internal const string Stages = "Stages";
    internal const string StagesOmitted = "StagesOmitted";

    internal const string OpenLineage = "OpenLineage";

    internal const string Columns = "Columns";
    internal const string ColumnsOmitted = "ColumnsOmitted";
    internal const string Classifications = "Classifications";
    internal const string Inputs = "Inputs";
    internal const string InputsOmitted = "InputsOmitted";
    internal const string ColumnLineage = "ColumnLineage";
    internal const string ColumnLineageOmitted = "ColumnLineageOmitted";

    internal const string UpstreamProduct = "UpstreamProduct";
    internal const string DownstreamProduct = "DownstreamProduct";
    internal const string Declared = "Declared";
    internal const string Observed = "Observed";
    internal const string Versions = "Versions";

    internal const string Rule = "Rule";
    internal const string RuleIndex = "RuleIndex";
    internal const string Property = "Property";
    internal const string Metric = "Metric";
    internal const string Severity = "Severity";
    internal const string Measured = "Measured";
    internal const string Unit = "Unit";
    internal const string Expectation = "Expectation";
    internal const string Passed = "Passed";
    internal const string FailedRows = "FailedRows";
}
