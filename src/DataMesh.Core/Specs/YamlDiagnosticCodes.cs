namespace DataMesh.Specs;

/// <summary>The codes a YAML reader uses for the generic problems, so product specs and contracts keep their own ranges.</summary>
internal sealed record YamlDiagnosticCodes(string Syntax, string UnknownKey, string MissingField, string WrongType);
