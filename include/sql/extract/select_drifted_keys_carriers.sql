-- Rendered by `globalcart render-sql` from include/sql/templates/extract/select_drifted_keys.sql.j2
-- and the carriers contract in include/globalcart/warehouse/contracts.py.
-- Which of the drifted carriers keys %(keys)s the source still holds.
select t.carrier_code::text as source_key
from shop.carriers as t
where t.carrier_code::text = any(%(keys)s::text[])
