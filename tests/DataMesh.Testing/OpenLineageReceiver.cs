using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DataMesh.Testing;

/// <summary>
/// An OpenLineage HTTP endpoint (a Marquez stand-in) on a free loopback port: records every request posted to it and
/// answers 201 Created, or the statuses queued with <see cref="AnswerNext"/> first.
/// </summary>
public sealed class OpenLineageReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<OpenLineageRequest> _received = new();
    private readonly ConcurrentQueue<HttpStatusCode> _answers = new();

    public OpenLineageReceiver()
    {
        BaseUri = new Uri($"http://127.0.0.1:{LoopbackPort.Free()}/");
        _listener.Prefixes.Add(BaseUri.AbsoluteUri);
        _listener.Start();
        _ = ServeAsync();
    }

    /// <summary>The receiver's root, e.g. <c>http://127.0.0.1:PORT/</c> (what <c>OPENLINEAGE_URL</c> names).</summary>
    public Uri BaseUri { get; }

    /// <summary>The OpenLineage API path under <see cref="BaseUri"/>: <c>/api/v1/lineage</c>.</summary>
    public Uri Endpoint => new(BaseUri, "api/v1/lineage");

    /// <summary>Every request received, in order.</summary>
    public IReadOnlyList<OpenLineageRequest> Requests => [.. _received];

    /// <summary>The bodies received that are JSON objects (the run events), in order.</summary>
    public IReadOnlyList<JsonObject> Events => [.. _received.Select(r => r.Body).OfType<JsonObject>()];

    /// <summary>
    /// The events received once there are at least <paramref name="count"/> (the sender posts them in the background,
    /// after the stage that emitted them); fails after <paramref name="timeout"/> (default 1 minute).
    /// </summary>
    public async Task<IReadOnlyList<JsonObject>> WaitForEventsAsync(int count, TimeSpan? timeout = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(1));
        while (Events.Count < count)
        {
            await Task.Delay(50, deadline.Token);
        }

        return Events;
    }

    /// <summary>Answers the next request not yet answered with <paramref name="status"/> instead of 201.</summary>
    public void AnswerNext(HttpStatusCode status) => _answers.Enqueue(status);

    /// <summary>Stops listening: the endpoint is down from now on.</summary>
    public void Stop() => _listener.Stop();

    public void Dispose() => _listener.Close();

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using (var reader = new StreamReader(context.Request.InputStream))
            {
                var text = await reader.ReadToEndAsync().ConfigureAwait(false);
                JsonNode? body;
                try
                {
                    body = JsonNode.Parse(text);
                }
                catch (JsonException)
                {
                    body = null;
                }

                _received.Enqueue(new OpenLineageRequest(context.Request.Url!.AbsolutePath, context.Request.ContentType ?? "", body));
            }

            context.Response.StatusCode = (int)(_answers.TryDequeue(out var status) ? status : HttpStatusCode.Created);
            context.Response.Close();
        }
    }
}
