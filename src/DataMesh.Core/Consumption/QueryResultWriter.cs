using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace DataMesh.Consumption;

/// <summary>
/// Writes a query result as CSV or as a JSON array of row objects while it streams from the reader: one row at a
/// time, flushed as it goes, so memory stays bounded whatever the number of rows.
/// </summary>
public static class QueryResultWriter
{
    /// <summary>Rows between two flushes of the JSON writer (its buffer holds what is not flushed yet).</summary>
    private const int FlushEvery = 1024;

    /// <summary>The result as CSV: a header line with the column names, then a line per row (RFC 4180 quoting).</summary>
    /// <returns>The number of rows written.</returns>
    public static long WriteCsv(DbDataReader reader, TextWriter target, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(target);
        var line = new StringBuilder();
        for (var i = 0; i < reader.FieldCount; i++)
        {
            line.Append(i == 0 ? "" : ",").Append(Csv(reader.GetName(i)));
        }

        target.WriteLine(line);
        var values = new object?[reader.FieldCount];
        long rows = 0;
        while (reader.Read())
        {
            cancellationToken.ThrowIfCancellationRequested();
            ReadRow(reader, values);
            line.Clear();
            for (var i = 0; i < values.Length; i++)
            {
                line.Append(i == 0 ? "" : ",").Append(Csv(Text(values[i])));
            }

            target.WriteLine(line);
            rows++;
        }

        return rows;
    }

    /// <summary>
    /// The result as one JSON array of objects, a property per column in the result's order; each value serialised
    /// with <paramref name="options"/> (dates as <c>yyyy-MM-dd</c>, timestamps as <c>yyyy-MM-dd HH:mm:ss.ffffff</c>,
    /// HUGEINT as a string).
    /// </summary>
    /// <returns>The number of rows written.</returns>
    public static long WriteJson(DbDataReader reader, Stream target, JsonSerializerOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(options);
        using var json = new Utf8JsonWriter(target, new JsonWriterOptions { Indented = options.WriteIndented, Encoder = options.Encoder });
        var names = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToArray();
        var values = new object?[reader.FieldCount];
        json.WriteStartArray();
        long rows = 0;
        while (reader.Read())
        {
            cancellationToken.ThrowIfCancellationRequested();
            ReadRow(reader, values);
            json.WriteStartObject();
            for (var i = 0; i < values.Length; i++)
            {
                json.WritePropertyName(names[i]);
                WriteValue(json, values[i], options);
            }

            json.WriteEndObject();
            if (++rows % FlushEvery == 0)
            {
                json.Flush();
            }
        }

        json.WriteEndArray();
        json.Flush();
        return rows;
    }

    /// <summary>
    /// One value: the common scalar types written directly (what the serializer would write for them, at a fraction
    /// of its cost per call on a boxed value); anything else through the serializer.
    /// </summary>
    private static void WriteValue(Utf8JsonWriter json, object? value, JsonSerializerOptions options)
    {
        switch (value)
        {
            case null: json.WriteNullValue(); break;
            case string s: json.WriteStringValue(s); break;
            case bool b: json.WriteBooleanValue(b); break;
            case int i: json.WriteNumberValue(i); break;
            case long l: json.WriteNumberValue(l); break;
            case short h: json.WriteNumberValue(h); break;
            case byte u: json.WriteNumberValue(u); break;
            case decimal m: json.WriteNumberValue(m); break;
            case double d when double.IsFinite(d): json.WriteNumberValue(d); break;
            case float f when float.IsFinite(f): json.WriteNumberValue(f); break;
            default: JsonSerializer.Serialize(json, value, value.GetType(), options); break;
        }
    }

    /// <summary>The row's values as the query commands show them: null for SQL NULL, dates and timestamps as text.</summary>
    public static void ReadRow(DbDataReader reader, object?[] values)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(values);
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = reader.IsDBNull(i) ? null : reader.GetValue(i) switch
            {
                DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                DateTime t => t.ToString("yyyy-MM-dd HH:mm:ss.FFFFFF", CultureInfo.InvariantCulture),
                System.Numerics.BigInteger b => b.ToString(CultureInfo.InvariantCulture),
                var other => other,
            };
        }
    }

    /// <summary>A value as invariant text (null stays null).</summary>
    public static string? Text(object? value) => value switch
    {
        null => null,
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    private static string Csv(string? value) =>
        value is null ? "" : value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
}
