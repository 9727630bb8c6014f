using DataMesh.Core.Tests.Specs;
using DataMesh.Engine;
using DataMesh.Specs;

namespace DataMesh.Core.Tests.Engine;

/// <summary>Declared date and timestamp columns of a CSV input parse ISO 8601 unless the input declares a format: never a guess.</summary>
public sealed class DeclaredDateColumnsTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly DuckDbSession _session;

    public DeclaredDateColumnsTests()
    {
        _session = DuckDbSession.Open(new DuckDbSessionOptions { AllowedDirectories = [_temp.Path], TempDirectory = Path.Combine(_temp.Path, "tmp"), Limits = DataMesh.Pipeline.EngineLimits.Process.Side });
    }

    public void Dispose()
    {
        _session.Dispose();
        _temp.Dispose();
    }

    private static InputSpec Port(string type, params (string Key, string Value)[] options) => new()
    {
        Name = "events",
        Landing = new LandingSpec { Path = "events/", Format = "csv", Options = options.ToDictionary(o => o.Key, o => o.Value) },
        Columns = [new InputColumn("id", "integer", Required: true), new InputColumn("at", type, Required: true)],
    };

    private string Read(InputSpec port, string csv)
    {
        var file = _temp.Write("events.csv", csv);
        InputBinder.Bind(_session, port, [file]);
        return string.Join(";", _session.Query("SELECT CAST(\"at\" AS VARCHAR) FROM events ORDER BY id", r => r.GetString(0)));
    }

    [Fact]
    public void Bind_DateColumnWithDayFirstValue_RefusesInsteadOfGuessing()
    {
        // Arrange: 03/04/2021 is no ISO date; DuckDB used to read it as 2021-04-03.
        var port = Port("date");

        // Act
        var error = Assert.ThrowsAny<Exception>(() => Read(port, "id,at\n1,03/04/2021\n"));

        // Assert
        Assert.Contains("Line: 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bind_DateColumnWithIsoValuesAndOneOther_BlamesTheOtherLine()
    {
        // Arrange: one 11.01.2018 used to flip the guessed format and the error blamed the valid rows.
        var port = Port("date");

        // Act
        var error = Assert.ThrowsAny<Exception>(() => Read(port, "id,at\n1,2018-01-10\n2,2018-01-12\n3,11.01.2018\n"));

        // Assert
        Assert.Contains("Line: 4", error.Message, StringComparison.Ordinal);
        Assert.Contains("11.01.2018", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bind_DateColumnWithIsoValues_ReadsThem()
    {
        // Act
        var values = Read(Port("date"), "id,at\n1,2021-04-03\n2,2021-12-31\n");

        // Assert
        Assert.Equal("2021-04-03;2021-12-31", values);
    }

    [Fact]
    public void Bind_DateColumnWithDeclaredFormat_ReadsThatFormat()
    {
        // Act
        var values = Read(Port("date", ("dateformat", "%d/%m/%Y")), "id,at\n1,03/04/2021\n");

        // Assert
        Assert.Equal("2021-04-03", values);
    }

    [Fact]
    public void Bind_TimestampColumnWithIsoVariants_ReadsThem()
    {
        // Act
        var values = Read(Port("timestamp"), "id,at\n1,2021-04-03 10:00:00\n2,2021-04-03T10:00:00.5\n3,2021-04-03T10:00\n");

        // Assert
        Assert.Equal("2021-04-03 10:00:00;2021-04-03 10:00:00.5;2021-04-03 10:00:00", values);
    }

    [Fact]
    public void Bind_TimestampColumnWithDayFirstValue_RefusesNamingTheValue()
    {
        // Arrange: 03/04/2021 10:00 is no ISO timestamp; DuckDB used to read it as 2021-04-03 10:00.
        var port = Port("timestamp");

        // Act
        var error = Assert.ThrowsAny<Exception>(() => Read(port, "id,at\n1,03/04/2021 10:00\n"));

        // Assert
        Assert.Contains("03/04/2021 10:00", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bind_TimestampColumnWithDeclaredFormat_ReadsThatFormat()
    {
        // Act
        var values = Read(Port("timestamp", ("timestampformat", "%d/%m/%Y %H:%M")), "id,at\n1,03/04/2021 10:00\n");

        // Assert
        Assert.Equal("2021-04-03 10:00:00", values);
    }
}
