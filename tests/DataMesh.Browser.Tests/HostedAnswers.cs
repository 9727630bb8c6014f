using DataMesh.Catalog;
using Microsoft.AspNetCore.Http;

namespace DataMesh.Browser.Tests;

/// <summary>Writes the catalog's answers to a test host's response, as the Functions app's functions do.</summary>
internal static class HostedAnswers
{
    /// <summary>An embedded web asset of the catalog.</summary>
    public static Task WriteAsync(HttpContext context, CatalogWebAssets.Response answer)
    {
        Start(context.Response, answer.StatusCode, answer.ContentType, answer.Headers);
        return context.Response.Body.WriteAsync(answer.Body, context.RequestAborted).AsTask();
    }

    /// <summary>An answer of the catalog's API.</summary>
    public static Task WriteAsync(HttpContext context, CatalogApiResponse answer)
    {
        Start(context.Response, answer.StatusCode, answer.ContentType, answer.Headers);
        return context.Response.WriteAsync(answer.Body, context.RequestAborted);
    }

    private static void Start(HttpResponse response, int statusCode, string contentType, IReadOnlyDictionary<string, string> headers)
    {
        response.StatusCode = statusCode;
        response.ContentType = contentType;
        foreach (var (name, value) in headers)
        {
            response.Headers[name] = value;
        }
    }
}
