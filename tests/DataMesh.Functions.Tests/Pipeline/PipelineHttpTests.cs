using System.Net;
using DataMesh.Functions.Pipeline;
using DataMesh.Functions.Tests.Triggers;
using Microsoft.Extensions.Logging.Abstractions;
using static DataMesh.Functions.Tests.TestHttp;

namespace DataMesh.Functions.Tests.Pipeline;

/// <summary>What the operator routes share before they act: the product check and the bounded JSON body read.</summary>
public sealed class PipelineHttpTests
{
    private const string Url = "https://func-finance.azurewebsites.net/api/products/finance.ledger-emea/runs";

    [Fact]
    public async Task ReadJson_EmptyBody_NoBodyAndNoRefusal()
    {
        // Act
        var (body, refused) = await PipelineHttp.ReadJsonAsync<FileBody>(new TestPostRequest(Url, ""), 64, "{ \"file\": \"...\" } or empty", null, CancellationToken.None);

        // Assert
        Assert.Null(body);
        Assert.Null(refused);
    }

    [Fact]
    public async Task ReadJson_JsonBody_Parsed()
    {
        // Act
        var (body, refused) = await PipelineHttp.ReadJsonAsync<FileBody>(new TestPostRequest(Url, "{\"file\":\"a.csv\"}"), 64, "{ \"file\": \"...\" } or empty", null, CancellationToken.None);

        // Assert
        Assert.Equal(new FileBody("a.csv"), body);
        Assert.Null(refused);
    }

    [Fact]
    public async Task ReadJson_NotJson_Answers400NamingTheShape()
    {
        // Act
        var (body, refused) = await PipelineHttp.ReadJsonAsync<FileBody>(new TestPostRequest(Url, "file=a.csv"), 64, "{ \"file\": \"...\" } or empty", null, CancellationToken.None);

        // Assert
        Assert.Null(body);
        Assert.Equal(HttpStatusCode.BadRequest, refused!.StatusCode);
        Assert.StartsWith("The body must be { \"file\": \"...\" } or empty: ", Error(refused), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "The body is larger than 8 bytes.")]
    [InlineData("name them by prefix", "The body is larger than 8 bytes: name them by prefix.")]
    public async Task ReadJson_BodyPastTheLimit_Answers413WithTheHint(string? hint, string expected)
    {
        // Act
        var (body, refused) = await PipelineHttp.ReadJsonAsync<FileBody>(new TestPostRequest(Url, "{\"file\":\"a.csv\"}"), 8, "{ \"file\": \"...\" } or empty", hint, CancellationToken.None);

        // Assert
        Assert.Null(body);
        Assert.Equal((HttpStatusCode.RequestEntityTooLarge, expected), (refused!.StatusCode, Error(refused)));
    }

    [Fact]
    public async Task RunProduct_UnknownProduct_Answers404NamingTheProductsServed()
    {
        // Arrange
        var function = new RunProductFunction(SampleMesh.Products(), TimeProvider.System, NullLogger<RunProductFunction>.Instance);
        var client = new RecordingDurableTaskClient();

        // Act
        var response = await function.RunAsync(new TestPostRequest(Url, ""), "finance.nope", client, CancellationToken.None);

        // Assert
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.StartsWith("Product 'finance.nope' is not served by this app (known: ", Error(response), StringComparison.Ordinal);
        Assert.Contains("finance.ledger-emea", Error(response), StringComparison.Ordinal);
        Assert.Empty(client.Scheduled);
    }

    private static string Error(Microsoft.Azure.Functions.Worker.Http.HttpResponseData response)
    {
        using var document = BodyJson(response);
        return document.RootElement.GetProperty("error").GetString()!;
    }

    private sealed record FileBody(string? File);
}
