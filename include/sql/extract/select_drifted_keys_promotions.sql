-- Rendered by `globalcart render-sql` from include/sql/templates/extract/select_drifted_keys.sql.j2
-- and the promotions contract in include/globalcart/warehouse/contracts.py.
-- Which of the drifted promotions keys %(keys)s the source still holds.
select t.promotion_id::text as source_key
from shop.promotions as t
where t.promotion_id = any(%(keys)s::text[]::bigint[])
