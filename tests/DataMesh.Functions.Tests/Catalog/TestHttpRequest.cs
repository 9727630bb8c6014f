using System.Security.Claims;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;

namespace DataMesh.Functions.Tests.Catalog;

/// <summary>A GET (or HEAD) request as the worker hands it to an HTTP function; its responses are built in memory.</summary>
internal sealed class TestHttpRequest(string url, string method = "GET") : HttpRequestData(new TestFunctionContext())
{
    public override Stream Body { get; } = new MemoryStream();

    public override HttpHeadersCollection Headers { get; } = [];

    public override IReadOnlyCollection<IHttpCookie> Cookies { get; } = [];

    public override Uri Url { get; } = new(url);

    public override IEnumerable<ClaimsIdentity> Identities { get; } = [];

    public override string Method => method;

    public override HttpResponseData CreateResponse() => new TestHttpResponse(FunctionContext);
}
