namespace DataMesh.Governance;

/// <summary>A place in a file, as diagnostics print it.</summary>
internal readonly record struct SourceLocation(string File, int Line, int Column);
