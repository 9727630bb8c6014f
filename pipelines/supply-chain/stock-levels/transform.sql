SELECT
    snapshot_date,
    warehouse,
    sku,
    warehouse || '/' || sku AS stock_key,
    on_hand,
    coalesce(reserved, 0) AS reserved,
    on_hand - coalesce(reserved, 0) AS available
FROM stock_snapshot
