-- Rendered by `globalcart render-sql` from include/sql/templates/extract/select_drifted.sql.j2
-- and the shipments contract in include/globalcart/warehouse/contracts.py.
-- The shipments the reconciliation found differing from the mirror (%(keys)s), whatever
-- their updated_at: re-extracted so the merge repairs them.
select
    t.shipment_id,
    t.order_id,
    t.carrier_code,
    t.fulfillment_center_code,
    t.status,
    t.shipping_cost,
    t.promised_at,
    t.shipped_at,
    t.delivered_at,
    t.created_at,
    t.updated_at
from shop.shipments as t
where t.shipment_id = any(%(keys)s::text[]::bigint[])
