using System.Security.Claims;
using System.Text;
using DataMesh.Functions.Tests.Catalog;
using Azure.Core.Serialization;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;
using Microsoft.Extensions.DependencyInjection;

namespace DataMesh.Functions.Tests.Pipeline;

/// <summary>
/// A POST request with a JSON body as the worker hands it to an HTTP function; its responses are built in memory, and
/// its context carries the worker's serializer (the Durable check-status response writes its body with it).
/// </summary>
internal sealed class TestPostRequest : HttpRequestData
{
    private static readonly IServiceProvider WorkerServices = new ServiceCollection()
        .Configure<WorkerOptions>(o => o.Serializer = new JsonObjectSerializer(new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web)))
        .BuildServiceProvider();

    public TestPostRequest(string url, string body)
        : base(new TestFunctionContext { InstanceServices = WorkerServices })
    {
        Url = new Uri(url);
        Body = new MemoryStream(Encoding.UTF8.GetBytes(body));
    }

    public override Stream Body { get; }

    public override HttpHeadersCollection Headers { get; } = new() { { "Content-Type", "application/json" } };

    public override IReadOnlyCollection<IHttpCookie> Cookies { get; } = [];

    public override Uri Url { get; }

    public override IEnumerable<ClaimsIdentity> Identities { get; } = [];

    public override string Method => "POST";

    public override HttpResponseData CreateResponse() => new TestHttpResponse(FunctionContext);
}
