using System.Text.Json.Serialization;

namespace DataMesh.Specs;

/// <summary>How a release of a product is built from the release before it (<c>output.mode</c> in <c>product.yaml</c>).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<OutputMode>))]
public enum OutputMode
{
    /// <summary>A release is this run's output alone (the default).</summary>
    [JsonStringEnumMemberName("replace")]
    Replace,

    /// <summary>A release is the previous release's rows plus this run's output.</summary>
    [JsonStringEnumMemberName("append")]
    Append,

    /// <summary>An upsert on <c>output.key</c>: rows whose key is present replace the old row, new keys are added.</summary>
    [JsonStringEnumMemberName("merge")]
    Merge,

    /// <summary>A run replaces exactly the <c>output.partitionBy</c> partitions its output touches and keeps the others.</summary>
    [JsonStringEnumMemberName("partitions")]
    Partitions,
}
