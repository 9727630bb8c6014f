using System.Text;
using DataMesh.Catalog;

namespace DataMesh.Core.Tests.Catalog;

public sealed class CatalogWebAssetsTests
{
    private readonly CatalogWebAssets _assets = CatalogWebAssets.Default;

    [Fact]
    public void Serve_Root_IsIndexHtmlWithSecurityHeaders()
    {
        // Act
        var answer = _assets.Serve("GET", "");

        // Assert
        Assert.Equal(200, answer.StatusCode);
        Assert.Equal(CatalogWebAssets.IndexPath, answer.Path);
        Assert.Equal("text/html; charset=utf-8", answer.ContentType);
        Assert.Contains("<script type=\"module\" src=\"app.js\"></script>", Encoding.UTF8.GetString(answer.Body), StringComparison.Ordinal);
        var csp = answer.Headers["Content-Security-Policy"];
        Assert.Contains("default-src 'none'", csp, StringComparison.Ordinal);
        Assert.Contains("script-src 'self';", csp, StringComparison.Ordinal);
        Assert.Contains("connect-src 'self';", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("http", csp, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("nosniff", answer.Headers["X-Content-Type-Options"]);
        Assert.Equal("no-referrer", answer.Headers["Referrer-Policy"]);
        Assert.StartsWith("\"", answer.Headers["ETag"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("app.js", "text/javascript; charset=utf-8")]
    [InlineData("lineage.js", "text/javascript; charset=utf-8")]
    [InlineData("app.css", "text/css; charset=utf-8")]
    [InlineData("favicon.svg", "image/svg+xml")]
    public void Serve_EmbeddedAsset_IsServedWithItsContentType(string path, string contentType)
    {
        // Act
        var answer = _assets.Serve("GET", path);

        // Assert
        Assert.Equal(200, answer.StatusCode);
        Assert.Equal(contentType, answer.ContentType);
        Assert.NotEmpty(answer.Body);
    }

    [Fact]
    public void Paths_EveryAsset_ReferencesNoOtherHost()
    {
        // Act: the UI must work with no network beyond its own origin (the SVG namespace is a name, not a fetch).
        var external = _assets.Paths
            .Where(p => Encoding.UTF8.GetString(_assets.Serve("GET", p).Body).Replace("http://www.w3.org/2000/svg", "", StringComparison.Ordinal) is var text
                && (text.Contains("http://", StringComparison.Ordinal) || text.Contains("https://", StringComparison.Ordinal) || text.Contains("//cdn", StringComparison.Ordinal)))
            .ToList();

        // Assert
        Assert.Empty(external);
    }

    [Theory]
    [InlineData("nothing.js")]
    [InlineData("APP.JS")]
    [InlineData("index.htm")]
    [InlineData("/index.html")]
    [InlineData("./app.js")]
    [InlineData("../DataMesh.Core.dll")]
    [InlineData("..%2FDataMesh.Core.dll")]
    [InlineData("%2e%2e/%2e%2e/etc/passwd")]
    [InlineData("%2e%2e%2fapp.js")]
    [InlineData("sub/../app.js")]
    [InlineData("..\\app.js")]
    [InlineData("app.js%00.html")]
    [InlineData("%zz")]
    public void Serve_UnknownOrTraversalPath_Is404WithSecurityHeaders(string path)
    {
        // Act
        var answer = _assets.Serve("GET", path);

        // Assert
        Assert.Equal(404, answer.StatusCode);
        Assert.Null(answer.Path);
        Assert.Equal("text/plain; charset=utf-8", answer.ContentType);
        Assert.Equal("nosniff", answer.Headers["X-Content-Type-Options"]);
        Assert.Equal(CatalogWebAssets.ContentSecurityPolicy, answer.Headers["Content-Security-Policy"]);
    }

    [Fact]
    public void Serve_IfNoneMatchWithCurrentETag_Is304WithoutBody()
    {
        // Arrange
        var etag = _assets.Serve("GET", "app.js").Headers["ETag"];

        // Act
        var unchanged = _assets.Serve("GET", "app.js", etag);
        var listed = _assets.Serve("GET", "app.js", "\"stale\", " + etag);
        var other = _assets.Serve("GET", "app.js", "\"stale\"");

        // Assert
        Assert.Equal(304, unchanged.StatusCode);
        Assert.Empty(unchanged.Body);
        Assert.Equal(etag, unchanged.Headers["ETag"]);
        Assert.Equal(304, listed.StatusCode);
        Assert.Equal(200, other.StatusCode);
        Assert.NotEmpty(other.Body);
    }

    [Fact]
    public void Serve_DifferentAssets_HaveDifferentETags()
    {
        // Act
        var etags = _assets.Paths.Select(p => _assets.Serve("GET", p).Headers["ETag"]).ToList();

        // Assert
        Assert.Equal(etags.Count, etags.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Serve_Head_HasHeadersButNoBody()
    {
        // Act
        var answer = _assets.Serve("HEAD", "app.css");

        // Assert
        Assert.Equal(200, answer.StatusCode);
        Assert.Empty(answer.Body);
        Assert.Equal("text/css; charset=utf-8", answer.ContentType);
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    public void Serve_WritingMethod_Is405(string method)
    {
        // Act
        var answer = _assets.Serve(method, "index.html");

        // Assert
        Assert.Equal(405, answer.StatusCode);
        Assert.Equal("GET, HEAD", answer.Headers["Allow"]);
    }
}
