using Azure.Storage.Queues;

namespace DataMesh.Local.EventGrid;

/// <summary>
/// One subscription of the <see cref="LocalEventGridTopic"/>, modelled on an Event Grid event subscription with a
/// storage-queue destination: an event is delivered when its type is among <see cref="IncludedEventTypes"/> (all types
/// when empty) and its subject begins with <see cref="SubjectBeginsWith"/> and ends with <see cref="SubjectEndsWith"/>
/// (each ignored when empty). Like Event Grid's defaults, types and subjects compare case-insensitively, and a subject
/// filter never matches an event without a subject.
/// </summary>
/// <param name="Name">Subscription name, for logs (as in Azure).</param>
/// <param name="Queue">
/// Destination queue. Deliveries are written Base64-encoded, as Event Grid writes them: give a client whose
/// <see cref="QueueClientOptions.MessageEncoding"/> is <see cref="QueueMessageEncoding.None"/> (as <c>MeshStorage</c>'s are).
/// </param>
public sealed record LocalEventSubscription(string Name, QueueClient Queue)
{
    /// <summary>Event types delivered (Event Grid <c>filter.includedEventTypes</c>); empty for every type.</summary>
    public IReadOnlyList<string> IncludedEventTypes { get; init; } = [];

    /// <summary>Event Grid <c>filter.subjectBeginsWith</c>; empty for no condition.</summary>
    public string SubjectBeginsWith { get; init; } = "";

    /// <summary>Event Grid <c>filter.subjectEndsWith</c>; empty for no condition.</summary>
    public string SubjectEndsWith { get; init; } = "";

    /// <summary>Whether an event of <paramref name="type"/> and <paramref name="subject"/> passes this subscription's filter.</summary>
    public bool Matches(string type, string? subject)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (IncludedEventTypes.Count > 0 && !IncludedEventTypes.Contains(type, StringComparer.OrdinalIgnoreCase))
        {
            return false;
        }

        if (SubjectBeginsWith.Length == 0 && SubjectEndsWith.Length == 0)
        {
            return true;
        }

        return subject is not null
            && subject.StartsWith(SubjectBeginsWith, StringComparison.OrdinalIgnoreCase)
            && subject.EndsWith(SubjectEndsWith, StringComparison.OrdinalIgnoreCase);
    }
}
