-- Rendered by `globalcart render-sql` from include/sql/templates/extract/select_drifted_keys.sql.j2
-- and the products contract in include/globalcart/warehouse/contracts.py.
-- Which of the drifted products keys %(keys)s the source still holds.
select t.product_id::text as source_key
from shop.products as t
where t.product_id = any(%(keys)s::text[]::bigint[])
