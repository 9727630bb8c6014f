namespace DataMesh.Infra.Tests;

/// <summary>
/// A value the fixture computed, or why it could not: reading <see cref="Value"/> rethrows the failure, so a broken
/// snapshot fails the tests that read it instead of the whole fixture.
/// </summary>
public sealed class Outcome<T>
    where T : class
{
    private readonly T? _value;
    private readonly Exception? _failure;

    private Outcome(T? value, Exception? failure)
    {
        _value = value;
        _failure = failure;
    }

    public static Outcome<T> NotRun { get; } = new(null, new InvalidOperationException("The fixture did not compute this value."));

    public T Value => _value ?? throw new InvalidOperationException(_failure!.Message, _failure);

    public static async Task<Outcome<T>> OfAsync(Func<Task<T>> compute)
    {
        ArgumentNullException.ThrowIfNull(compute);
        try
        {
            return new Outcome<T>(await compute(), null);
        }
        catch (Exception ex) when (ex is InvalidOperationException or InvalidDataException)
        {
            return new Outcome<T>(null, ex);
        }
    }
}
