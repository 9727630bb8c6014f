using DataMesh.Governance;

namespace DataMesh.Core.Tests.Governance;

public sealed class SqlMaskingTests
{
    [Theory]
    [InlineData("SELECT left(iban, 4) AS iban FROM t", "iban")]
    [InlineData("SELECT substr(iban, 1, 2) AS iban FROM t", "iban")]
    [InlineData("SELECT date_trunc('month', born_on) AS born_on FROM t", "born_on")]
    [InlineData("SELECT * REPLACE ('***' AS email) FROM t", "email")]
    [InlineData("SELECT * EXCLUDE (email), NULL AS email FROM t", "email")]
    [InlineData("SELECT NULL AS phone FROM t", "phone")]
    [InlineData("SELECT NULL::VARCHAR AS phone FROM t", "phone")]
    [InlineData("SELECT '***' AS name FROM t", "name")]
    [InlineData("SELECT regexp_replace(name, '.', '*', 'g') AS name FROM t", "name")]
    public void MaskedColumns_MaskingExpression_IsMasked(string sql, string column)
    {
        // Act
        var masked = SqlMasking.MaskedColumns(sql);

        // Assert
        Assert.Contains(column, masked);
    }

    [Theory]
    [InlineData("SELECT email FROM t")]
    [InlineData("SELECT lower(email) AS email FROM t")]
    [InlineData("SELECT sha256(email) AS email_hash, email FROM t")]
    [InlineData("SELECT * FROM t")]
    [InlineData("SELEC email FROM t")]
    [InlineData("SELECT sha256(email) AS email FROM t")]
    [InlineData("SELECT md5(email) AS email FROM t")]
    [InlineData("SELECT sha256(email || 'pepper') AS email FROM t")]
    [InlineData("SELECT left(email, 999) AS email FROM t")]
    [InlineData("SELECT substr(email, 2, 3) AS email FROM t")]
    [InlineData("SELECT regexp_replace(email, 'x^', '*') AS email FROM t")]
    [InlineData("SELECT regexp_replace(email, '.', '\\0', 'g') AS email FROM t")]
    [InlineData("SELECT date_trunc('day', email) AS email FROM t")]
    [InlineData("SELECT *, '***' AS email FROM t")]
    [InlineData("SELECT '***' AS email, email AS EMAIL FROM t")]
    [InlineData("SELECT * REPLACE (lower(email) AS email) FROM t")]
    public void MaskedColumns_ClearExpression_IsNotMasked(string sql)
    {
        // Act
        var masked = SqlMasking.MaskedColumns(sql);

        // Assert
        Assert.DoesNotContain("email", masked);
    }
}
