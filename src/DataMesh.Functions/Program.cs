using DataMesh.Functions.Configuration;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);
builder.Services.AddDataMesh(builder.Configuration);
builder.Services.AddDataMeshTelemetry(builder.Configuration);
builder.Build().Run();
