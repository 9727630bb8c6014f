using System.Text.Json;
using DurableTask.Core.Serializing;

namespace DataMesh.Local.Durable;

/// <summary>
/// DTFx data converter on System.Text.Json, so the client side speaks the same JSON as the
/// <c>Microsoft.DurableTask</c> shim that runs the orchestrations (DTFx's default is Newtonsoft with type names).
/// </summary>
public sealed class SystemTextJsonDataConverter : DataConverter
{
    private static readonly JsonSerializerOptions Options = new() { PropertyNameCaseInsensitive = true };

    public override string? Serialize(object? value) => Serialize(value, formatted: false);

    public override string? Serialize(object? value, bool formatted) =>
        value is null ? null : JsonSerializer.Serialize(value, value.GetType(), formatted ? new JsonSerializerOptions(Options) { WriteIndented = true } : Options);

    public override object? Deserialize(string? data, Type objectType) =>
        data is null ? null : JsonSerializer.Deserialize(data, objectType, Options);
}
