using Azure;
using Azure.Messaging;
using Azure.Messaging.EventGrid;
using DataMesh.Events;
using Microsoft.Extensions.Logging;

namespace DataMesh.Local.EventGrid;

/// <summary>
/// One local Event Grid topic per domain, each with its own key, as Azure gives each domain its own topic and its
/// identity <c>EventGrid Data Sender</c> on that topic only (DESIGN §7). Every topic serves the same subscriptions (the
/// catalog's and the consumers'); a topic refuses any event about another domain's product (403), so a domain's key
/// announces only its own products and a forged event reaches neither the catalog nor a consumer.
/// </summary>
public sealed class LocalDomainTopics : IAsyncDisposable
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (LocalEventGridTopic Topic, string Key)> _topics;
    private readonly ILoggerFactory _loggerFactory;

    private LocalDomainTopics(ILoggerFactory loggerFactory)
    {
        _topics = new(StringComparer.Ordinal);
        _loggerFactory = loggerFactory;
    }

    /// <summary>The domains that have a topic.</summary>
    public IReadOnlyCollection<string> Domains => _topics.Keys.ToList();

    /// <summary>The subscriptions every domain topic fans out to (the same list on each).</summary>
    public IReadOnlyList<LocalEventSubscription> Subscriptions => _topics.Count == 0 ? [] : _topics.Values.First().Topic.Subscriptions;

    /// <summary>
    /// Starts one topic per domain, each keyed with <paramref name="keyOf"/>(domain) (a secret the caller keeps outside
    /// code: the mesh's state folder).
    /// </summary>
    public static async Task<LocalDomainTopics> StartAsync(
        IEnumerable<string> domains, Func<string, string> keyOf, IReadOnlyList<LocalEventSubscription> subscriptions, ILoggerFactory loggerFactory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(domains);
        ArgumentNullException.ThrowIfNull(keyOf);
        ArgumentNullException.ThrowIfNull(subscriptions);
        var topics = new LocalDomainTopics(loggerFactory);
        try
        {
            foreach (var domain in domains.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
            {
                await topics.AddDomainAsync(domain, keyOf(domain), subscriptions, cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            await topics.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return topics;
    }

    /// <summary>
    /// Starts the topic of a domain that has none yet (a product of a new domain added while <c>datamesh up</c> runs),
    /// keyed with <paramref name="key"/> and serving <paramref name="subscriptions"/>; nothing when it has one.
    /// </summary>
    public async Task AddDomainAsync(string domain, string key, IReadOnlyList<LocalEventSubscription> subscriptions, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(domain);
        if (_topics.ContainsKey(domain))
        {
            return;
        }

        var topic = new LocalEventGridTopic(key, subscriptions, _loggerFactory, domain);
        if (!_topics.TryAdd(domain, (topic, key)))
        {
            await topic.DisposeAsync().ConfigureAwait(false);
            return;
        }

        await topic.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Gives every domain's topic <paramref name="subscriptions"/> instead of its own (the specs reloaded).</summary>
    public void Resubscribe(IReadOnlyList<LocalEventSubscription> subscriptions)
    {
        foreach (var (topic, _) in _topics.Values)
        {
            topic.Resubscribe(subscriptions);
        }
    }

    /// <summary>The topic of <paramref name="domain"/>.</summary>
    public LocalEventGridTopic Topic(string domain) =>
        _topics.TryGetValue(domain, out var topic)
            ? topic.Topic
            : throw new InvalidOperationException($"Domain '{domain}' has no local event topic: the mesh has topics for {string.Join(", ", _topics.Keys)} (the domains of its products).");

    /// <summary>
    /// What a domain's pipeline host is given: a publisher to that domain's topic holding that domain's key only.
    /// </summary>
    public IProductEventPublisher PublisherFor(string domain)
    {
        var topic = Topic(domain);
        var options = new EventGridPublisherClientOptions();
        options.Retry.MaxRetries = 3;
        options.Retry.Delay = TimeSpan.FromMilliseconds(200);
        options.Retry.MaxDelay = TimeSpan.FromSeconds(2);
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(30);
        return new EventGridProductEventPublisher(new EventGridPublisherClient(topic.Endpoint, new AzureKeyCredential(_topics[domain].Key), options));
    }

    /// <summary>
    /// The publisher of a process that hosts every domain's pipelines (the local mesh runs them in one process): each
    /// event goes out with the publisher of the domain its <c>source</c> names, that domain's key only. The topic, not
    /// this choice, is what refuses an event about another domain's product.
    /// </summary>
    public IProductEventPublisher PublisherPerDomain() => new PerDomainPublisher(this);

    /// <summary>Stops every topic (publishers get connection errors until <see cref="StartAsync(CancellationToken)"/>).</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        foreach (var (topic, _) in _topics.Values)
        {
            await topic.StopAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Starts every topic again, each on the port it had.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        foreach (var (topic, _) in _topics.Values)
        {
            await topic.StartAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (topic, _) in _topics.Values)
        {
            await topic.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Sends each event with the publisher of the domain in its source (a domain's topic added later included).</summary>
    private sealed class PerDomainPublisher(LocalDomainTopics topics) : IProductEventPublisher
    {
        private const string SourcePrefix = "/domains/";
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, IProductEventPublisher> _publishers = new(StringComparer.Ordinal);

        public Task PublishAsync(CloudEvent cloudEvent, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(cloudEvent);
            var source = cloudEvent.Source ?? "";
            var domain = source.StartsWith(SourcePrefix, StringComparison.Ordinal) ? source[SourcePrefix.Length..].Split('/')[0] : "";
            return topics._topics.ContainsKey(domain)
                ? _publishers.GetOrAdd(domain, topics.PublisherFor).PublishAsync(cloudEvent, cancellationToken)
                : throw new InvalidOperationException(
                    $"Event '{cloudEvent.Id}' (source '{source}') names no domain of this mesh ({string.Join(", ", topics._topics.Keys.Order(StringComparer.Ordinal))}): there is no topic key to announce it with.");
        }
    }
}
