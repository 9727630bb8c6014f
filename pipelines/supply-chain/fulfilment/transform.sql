-- Lead time in hours, and whether the line could be served from the stock available at its warehouse on the day it
-- was ordered: stock-levels holds every snapshot day, and an ASOF join takes the newest one on or before that day.
SELECT
    s.shipment_id,
    s.order_id,
    s.warehouse,
    s.sku,
    s.quantity,
    s.ordered_at,
    s.shipped_at,
    round(date_diff('minute', s.ordered_at, s.shipped_at) / 60.0, 1) AS lead_time_hours,
    k.available AS available_at_warehouse,
    coalesce(s.quantity > k.available, true) AS backordered
FROM shipments s
ASOF LEFT JOIN stock k
    ON k.warehouse = s.warehouse AND k.sku = s.sku AND CAST(s.ordered_at AS DATE) >= k.snapshot_date
