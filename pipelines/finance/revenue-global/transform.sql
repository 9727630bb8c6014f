-- Rebuilt whenever a regional ledger publishes a release (each input reads the newest release of ^1).
WITH entries AS (
    SELECT 'EMEA' AS region, period, currency, account, amount FROM ledger_emea
    UNION ALL
    SELECT 'AMER', period, currency, account, amount FROM ledger_amer
    UNION ALL
    SELECT 'APAC', period, currency, account, amount FROM ledger_apac
),
per_period AS (
    SELECT
        region,
        period,
        currency,
        CAST(coalesce(sum(amount) FILTER (WHERE account = '4000'), 0) AS DECIMAL(18,2)) AS revenue,
        count(*) AS entries
    FROM entries
    GROUP BY region, period, currency
)
-- Every column of per_period, and the running total of the region's revenue in that currency over the periods this
-- release holds (a window over the aggregate).
SELECT
    *,
    CAST(sum(revenue) OVER (PARTITION BY region, currency ORDER BY period) AS DECIMAL(18,2)) AS revenue_to_date
FROM per_period
ORDER BY region, period, currency
