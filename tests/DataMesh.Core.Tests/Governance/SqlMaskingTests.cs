using DataMesh.Governance;

namespace DataMesh.Core.Tests.Governance;

public sealed class SqlMaskingTests
{
    [Theory]
    [InlineData("SELECT sha256(email) AS email FROM t", "email")]
    [InlineData("SELECT md5(email) AS email FROM t", "email")]
    [InlineData("SELECT left(iban, 4) AS iban FROM t", "iban")]
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
    public void MaskedColumns_ClearExpression_IsNotMasked(string sql)
    {
        // Act
        var masked = SqlMasking.MaskedColumns(sql);

        // Assert
        Assert.DoesNotContain("email", masked);
    }
}
