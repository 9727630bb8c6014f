namespace DataMesh.Deployment;

/// <summary>A deployment hook step cannot go on; the message says why and what to run (the hook exits 1 and azd stops).</summary>
public sealed class HookFailedException(string message, Exception? inner = null) : Exception(message, inner);
