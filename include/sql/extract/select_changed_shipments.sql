-- Rendered by `globalcart render-sql` from include/sql/templates/extract/select_changed.sql.j2
-- and the shipments contract in include/globalcart/warehouse/contracts.py.
-- The shipments changed in [since, until): since is the watermark (inclusive, so rows sharing the
-- watermark's timestamp are read again and ignored by the merge if not newer).
select
    shipment_id,
    order_id,
    carrier_code,
    fulfillment_center_code,
    status,
    shipping_cost,
    promised_at,
    shipped_at,
    delivered_at,
    created_at,
    updated_at
from shop.shipments
where updated_at >= %(since)s and updated_at < %(until)s
