using Azure.Messaging;

namespace DataMesh.Events;

/// <summary>One pending announcement in the <see cref="AnnouncementOutbox"/>: the event, when it was recorded, and its failed sends so far.</summary>
/// <param name="Event">The event exactly as first recorded (re-sends are byte-for-byte duplicates).</param>
/// <param name="CreatedAt">When the announcement was recorded.</param>
/// <param name="Attempts">Failed sends recorded by the relay.</param>
/// <param name="LastError">Why the last recorded send failed; null when none was recorded.</param>
public sealed record OutboxEntry(CloudEvent Event, DateTimeOffset CreatedAt, int Attempts, string? LastError);
