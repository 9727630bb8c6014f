namespace DataMesh.Events;

/// <summary>What one <see cref="OutboxRelay"/> sweep did: events re-sent (and removed), and events whose send failed again (still pending).</summary>
public sealed record OutboxRelayResult(int Sent, int Failed);
