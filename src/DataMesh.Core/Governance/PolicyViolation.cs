using DataMesh.Specs;

namespace DataMesh.Governance;

/// <summary>One product breaking one policy, at a place in its spec or contract.</summary>
internal sealed record PolicyViolation(ProductSpec Product, SourceLocation Where, string Detail);
