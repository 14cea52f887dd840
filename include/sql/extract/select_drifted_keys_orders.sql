-- Rendered by `globalcart render-sql` from include/sql/templates/extract/select_drifted_keys.sql.j2
-- and the orders contract in include/globalcart/warehouse/contracts.py.
-- Which of the drifted orders keys %(keys)s the source still holds.
select t.order_id::text as source_key
from shop.orders as t
where t.order_id = any(%(keys)s::text[]::bigint[])
