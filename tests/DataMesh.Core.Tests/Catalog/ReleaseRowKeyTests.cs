using DataMesh.Catalog;
using Semver;

namespace DataMesh.Core.Tests.Catalog;

public sealed class ReleaseRowKeyTests
{
    [Fact]
    public void For_StableVersions_OrdinalOrderIsNewestFirst()
    {
        // Arrange
        (string Version, int Release)[] newestFirst =
        [
            ("10.0.0", 1),
            ("2.0.0", 1),
            ("2.0.0-rc.1", 3),
            ("1.10.0", 12),
            ("1.10.0", 2),
            ("1.9.0", 1),
            ("0.1.0", 5),
        ];

        // Act
        var keys = newestFirst.Select(r => ReleaseRowKey.For(SemVersion.Parse(r.Version, SemVersionStyles.Strict), r.Version, r.Release)).ToList();

        // Assert
        Assert.Equal(keys, keys.Order(StringComparer.Ordinal));
        Assert.Equal(keys.Count, keys.Distinct(StringComparer.Ordinal).Count());
    }

    [Theory]
    [InlineData("1.0.0+build/5")]
    [InlineData("1.0.0-alpha.1")]
    public void For_AnyVersion_HasNoCharacterForbiddenInKeys(string version)
    {
        // Arrange
        var parsed = SemVersion.Parse(version.Replace('/', '.'), SemVersionStyles.Strict);

        // Act
        var key = ReleaseRowKey.For(parsed, version, 1);

        // Assert
        Assert.DoesNotContain(key, c => c is '/' or '\\' or '#' or '?' || char.IsControl(c));
    }

    [Fact]
    public void Encode_ForbiddenCharacters_EscapesThemOneToOne()
    {
        // Act
        var encoded = CatalogKeys.Encode("a/b#c?d\\e%f\tg");

        // Assert
        Assert.Equal("a%2Fb%23c%3Fd%5Ce%25f%09g", encoded);
        Assert.NotEqual(CatalogKeys.Encode("a%2Fb"), CatalogKeys.Encode("a/b"));
    }
}
