namespace DataMesh.Browser.Tests;

/// <summary>
/// A test that needs Debian's Chromium at <see cref="SampleMeshFixture.ChromiumPath"/>: skipped, with the reason and the
/// fix, when it is not installed (<c>.ci/run</c> installs it). Playwright never downloads a browser here.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (!SampleMeshFixture.ChromiumInstalled)
        {
            Skip = $"{SampleMeshFixture.ChromiumPath} is missing: install Debian's Chromium (sudo apt-get install -y chromium) to run the browser tests.";
        }
    }
}
