WITH spend AS (
    SELECT
        campaign_id,
        any_value(channel) AS channel,
        CAST(sum(spend) AS DECIMAL(18, 2)) AS spend,
        CAST(sum(clicks) AS BIGINT) AS clicks,
        CAST(sum(conversions) AS BIGINT) AS conversions
    FROM campaigns
    GROUP BY campaign_id
),
pipeline AS (
    SELECT
        campaign_id,
        count(*) AS opportunities,
        sum(amount) FILTER (WHERE NOT closed) AS open_amount,
        sum(amount) FILTER (WHERE stage = 'won') AS won_amount
    FROM opportunities
    WHERE campaign_id IS NOT NULL
    GROUP BY campaign_id
)
SELECT
    s.campaign_id,
    s.channel,
    s.spend,
    s.clicks,
    s.conversions,
    coalesce(p.opportunities, 0) AS opportunities,
    CAST(coalesce(p.open_amount, 0) AS DECIMAL(18, 2)) AS open_amount,
    CAST(coalesce(p.won_amount, 0) AS DECIMAL(18, 2)) AS won_amount,
    round(coalesce(p.won_amount, 0) / nullif(s.spend, 0), 2) AS return_on_spend
FROM spend s
LEFT JOIN pipeline p USING (campaign_id)
ORDER BY s.campaign_id
