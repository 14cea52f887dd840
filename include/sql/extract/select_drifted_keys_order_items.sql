-- Rendered by `globalcart render-sql` from include/sql/templates/extract/select_drifted_keys.sql.j2
-- and the order_items contract in include/globalcart/warehouse/contracts.py.
-- Which of the drifted order items keys %(keys)s the source still holds.
select t.order_item_id::text as source_key
from shop.order_items as t
where t.order_item_id = any(%(keys)s::text[]::bigint[])
