-- Rendered by `globalcart render-sql` from include/sql/templates/extract/select_drifted_keys.sql.j2
-- and the product_prices contract in include/globalcart/warehouse/contracts.py.
-- Which of the drifted product prices keys %(keys)s the source still holds.
select t.product_id::text || ', ' || (t.valid_from at time zone 'UTC')::text as source_key
from shop.product_prices as t
where t.product_id::text || ', ' || (t.valid_from at time zone 'UTC')::text = any(%(keys)s::text[])
