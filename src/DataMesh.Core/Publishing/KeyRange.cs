namespace DataMesh.Publishing;

/// <summary>
/// The smallest and largest value of a merge product's first key column in one data file, from the Parquet statistics of
/// the file as it was written (as Iceberg and Delta Lake keep column bounds). A merge skips a base file whose range holds
/// no key of its output without reading it. Values are DuckDB's text form of the column's type, cast back to that type
/// when compared; <see cref="Column"/> guards against a key that changed since the file was written.
/// </summary>
/// <param name="Column">The key column the bounds are of (the first of <c>output.key</c> when the file was written).</param>
/// <param name="Min">The smallest non-null value, as DuckDB casts it to text.</param>
/// <param name="Max">The largest non-null value, as DuckDB casts it to text.</param>
public sealed record KeyRange(string Column, string Min, string Max);
