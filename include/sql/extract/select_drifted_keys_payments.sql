-- Rendered by `globalcart render-sql` from include/sql/templates/extract/select_drifted_keys.sql.j2
-- and the payments contract in include/globalcart/warehouse/contracts.py.
-- Which of the drifted payments keys %(keys)s the source still holds.
select t.payment_id::text as source_key
from shop.payments as t
where t.payment_id = any(%(keys)s::text[]::bigint[])
