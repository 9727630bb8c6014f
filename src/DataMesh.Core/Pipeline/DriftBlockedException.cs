namespace DataMesh.Pipeline;

/// <summary>
/// A drift that blocks the run, found while binding the inputs: caught by <see cref="TransformActivity"/>, which returns
/// it as <see cref="TransformResult.Rejected"/> with the inputs read so far (a failed activity would carry only its message).
/// </summary>
internal sealed class DriftBlockedException(string message, IReadOnlyList<InputReport> inputs) : Exception(message)
{
    /// <summary>Every input bound so far, the blocked one last.</summary>
    public IReadOnlyList<InputReport> Inputs { get; } = inputs;
}
