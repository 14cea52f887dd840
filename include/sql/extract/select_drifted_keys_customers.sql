-- Rendered by `globalcart render-sql` from include/sql/templates/extract/select_drifted_keys.sql.j2
-- and the customers contract in include/globalcart/warehouse/contracts.py.
-- Which of the drifted customers keys %(keys)s the source still holds.
select t.customer_id::text as source_key
from shop.customers as t
where t.customer_id = any(%(keys)s::text[]::bigint[])
