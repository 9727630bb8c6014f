using System.Globalization;
using System.Net;
using DataMesh.Catalog;
using Microsoft.Azure.Functions.Worker.Http;

namespace DataMesh.Functions.Catalog;

/// <summary>Writes a <see cref="CatalogApiResponse"/> as the HTTP function's response.</summary>
internal static class CatalogApiAnswer
{
    /// <summary>
    /// The answer as a response: headers, then the body. A file streams from storage to the response body through a
    /// small buffer; with the ASP.NET Core integration (Program.cs) that body is the client's connection, so memory
    /// stays bounded whatever the file's size, and a failed check of its bytes aborts the response mid-way.
    /// </summary>
    internal static async Task<HttpResponseData> WriteAsync(HttpRequestData request, CatalogApiResponse answer, CancellationToken cancellationToken)
    {
        var response = request.CreateResponse((HttpStatusCode)answer.StatusCode);
        response.Headers.Add("Content-Type", answer.ContentType);
        if (answer.Location is { } location)
        {
            response.Headers.Add("Location", location);
        }

        foreach (var (name, value) in answer.Headers)
        {
            response.Headers.Add(name, value);
        }

        if (answer.ContentLength is { } length)
        {
            response.Headers.Add("Content-Length", length.ToString(CultureInfo.InvariantCulture));
        }

        if (answer.Content is { } content)
        {
            await using (content)
            {
                await content.CopyToAsync(response.Body, cancellationToken);
            }
        }
        else if (answer.ContentLength is null && answer.Body.Length > 0)
        {
            await response.WriteStringAsync(answer.Body, cancellationToken);
        }

        return response;
    }
}
