using DataMesh.Functions.Configuration;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);

// HTTP triggers run on ASP.NET Core, so a response streams to the client (release files are not held in memory).
builder.ConfigureFunctionsWebApplication();
builder.Services.AddDataMesh(builder.Configuration);
builder.Services.AddDataMeshTelemetry(builder.Configuration);
builder.Build().Run();
