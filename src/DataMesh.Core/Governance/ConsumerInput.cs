namespace DataMesh.Governance;

/// <summary>A consumer's input that reads an upstream product, with the version range it accepts.</summary>
/// <param name="Consumer">The consuming product's id.</param>
/// <param name="Input">The input's name in the consumer's spec.</param>
/// <param name="Range">The version range the input accepts (<c>*</c> when none is declared).</param>
public sealed record ConsumerInput(string Consumer, string Input, string Range)
{
    public override string ToString() => $"{Consumer} (input {Input}, versions {Range})";
}
