namespace DataMesh.Specs;

/// <summary>A data product declared as code: <c>pipelines/&lt;domain&gt;/&lt;product&gt;/product.yaml</c> (DESIGN §4).</summary>
public sealed record ProductSpec
{
    public required string Domain { get; init; }

    /// <summary>Kebab-case product name, unique within its domain.</summary>
    public required string Name { get; init; }

    /// <summary>Semantic version of the output (the contract's compatibility promise).</summary>
    public required string Version { get; init; }

    public string? Description { get; init; }

    public ProductOwner? Owner { get; init; }

    public IReadOnlyList<string> Tags { get; init; } = [];

    public required IReadOnlyList<InputSpec> Inputs { get; init; }

    /// <summary>Path of the transform SQL file, relative to <see cref="Directory"/>.</summary>
    public required string TransformSqlPath { get; init; }

    public required OutputSpec Output { get; init; }

    /// <summary>Maximum age of the newest release (<c>sla.freshness</c>), when declared.</summary>
    public TimeSpan? Freshness { get; init; }

    public AccessSpec Access { get; init; } = new();

    /// <summary>How long each stage of a run may take (<c>limits</c>), the platform's defaults where not declared.</summary>
    public StageLimits Limits { get; init; } = StageLimits.Default;

    /// <summary>Absolute folder that holds <c>product.yaml</c>.</summary>
    public required string Directory { get; init; }

    /// <summary>Absolute path of <c>product.yaml</c>.</summary>
    public required string SpecPath { get; init; }

    /// <summary>The output contract, loaded from <see cref="OutputSpec.Contract"/>.</summary>
    public required DataMesh.Contracts.DataContract Contract { get; init; }

    /// <summary>The transform SQL text, loaded from <see cref="TransformSqlPath"/>.</summary>
    public required string TransformSql { get; init; }

    /// <summary>
    /// When this spec was read from disk (null for a spec built in code): the stamp that orders the registrations its
    /// domain app makes of it, at start-up and on each release, so the hub keeps the newest declaration whatever order
    /// they arrive in (<see cref="DataMesh.Catalog.ProductRegistration.DeclaredAt"/>).
    /// </summary>
    public DateTimeOffset? LoadedAt { get; init; }

    /// <summary>Product id, <c>&lt;domain&gt;.&lt;name&gt;</c>.</summary>
    public string Id => $"{Domain}.{Name}";
}

/// <summary>Who answers for a product.</summary>
public sealed record ProductOwner(string? Team, string? Email);

/// <summary>One input port: a landing feed or another product's published output.</summary>
public sealed record InputSpec
{
    /// <summary>The name of the DuckDB view the transform reads (snake_case identifier).</summary>
    public required string Name { get; init; }

    /// <summary>Set for landing inputs.</summary>
    public LandingSpec? Landing { get; init; }

    /// <summary>Declared input columns (optional); their types are applied instead of auto-detection.</summary>
    public IReadOnlyList<InputColumn> Columns { get; init; } = [];

    /// <summary>Set for upstream inputs: the product id (<c>domain.name</c>) read.</summary>
    public string? Product { get; init; }

    /// <summary>Semver range of the upstream product accepted (npm style, e.g. <c>^1</c>).</summary>
    public string? Versions { get; init; }

    /// <summary>
    /// How an upstream input is read (<c>read</c>): the whole snapshot of the newest release in range (the default),
    /// or only the rows that changed since the upstream release this consumer last built from.
    /// </summary>
    public UpstreamRead Read { get; init; } = UpstreamRead.Snapshot;

    /// <summary>
    /// What drift from the declared columns does to a landing input's run (<c>onDrift</c>): <see cref="DriftPolicy.Warn"/>
    /// (the default) publishes and reports it; <see cref="DriftPolicy.Block"/> quarantines the file, naming the drift.
    /// </summary>
    public DriftPolicy OnDrift { get; init; } = DriftPolicy.Warn;

    public bool IsLanding => Landing is not null;
}

/// <summary>Where an input arrives in the domain's <c>landing</c> container, and how to read it.</summary>
public sealed record LandingSpec
{
    /// <summary>Blob name prefix inside the landing container, e.g. <c>ledger/emea/</c>.</summary>
    public required string Path { get; init; }

    /// <summary><c>csv</c>, <c>json</c>, <c>ndjson</c> or <c>parquet</c>.</summary>
    public required string Format { get; init; }

    /// <summary>Reader options (e.g. <c>delimiter</c>, <c>header</c>), passed to DuckDB after checking.</summary>
    public IReadOnlyDictionary<string, string> Options { get; init; } = new Dictionary<string, string>();
}

/// <summary>A declared input column.</summary>
public sealed record InputColumn(string Name, string Type, bool Required);

/// <summary>The output port.</summary>
public sealed record OutputSpec
{
    /// <summary>Contract file, relative to the product folder.</summary>
    public required string Contract { get; init; }

    public string Format { get; init; } = "parquet";

    public IReadOnlyList<string> PartitionBy { get; init; } = [];

    /// <summary>How a release is built from the one before it (<c>output.mode</c>); <see cref="OutputMode.Replace"/> by default.</summary>
    public OutputMode Mode { get; init; } = OutputMode.Replace;

    /// <summary>The key columns of a <see cref="OutputMode.Merge"/> output (<c>output.key</c>).</summary>
    public IReadOnlyList<string> Key { get; init; } = [];

    /// <summary>A DuckDB SQL boolean over an output row of a merge: the row's key is removed instead of upserted (<c>output.deleteWhen</c>).</summary>
    public string? DeleteWhen { get; init; }

    /// <summary>Which releases stay listed and readable (<c>output.retention</c>); all of them when null.</summary>
    public RetentionSpec? Retention { get; init; }
}

/// <summary>Who may read the product.</summary>
public sealed record AccessSpec
{
    /// <summary><c>public</c>, <c>domain</c> or <c>restricted</c>.</summary>
    public string Visibility { get; init; } = "domain";

    public IReadOnlyList<string> Readers { get; init; } = [];
}
