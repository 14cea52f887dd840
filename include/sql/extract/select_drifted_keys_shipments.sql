-- Rendered by `globalcart render-sql` from include/sql/templates/extract/select_drifted_keys.sql.j2
-- and the shipments contract in include/globalcart/warehouse/contracts.py.
-- Which of the drifted shipments keys %(keys)s the source still holds.
select t.shipment_id::text as source_key
from shop.shipments as t
where t.shipment_id = any(%(keys)s::text[]::bigint[])
