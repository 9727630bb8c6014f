-- One row per campaign, channel and day; rates are NULL where their denominator is zero.
SELECT
    stat_date,
    campaign_id,
    channel,
    impressions,
    clicks,
    spend,
    coalesce(conversions, 0) AS conversions,
    round(clicks / nullif(impressions, 0), 4) AS click_through_rate,
    CAST(spend / nullif(clicks, 0) AS DECIMAL(12, 2)) AS cost_per_click,
    CAST(spend / nullif(conversions, 0) AS DECIMAL(12, 2)) AS cost_per_conversion
FROM ad_stats
