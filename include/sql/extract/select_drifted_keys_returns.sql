-- Rendered by `globalcart render-sql` from include/sql/templates/extract/select_drifted_keys.sql.j2
-- and the returns contract in include/globalcart/warehouse/contracts.py.
-- Which of the drifted returns keys %(keys)s the source still holds.
select t.return_id::text as source_key
from shop.returns as t
where t.return_id = any(%(keys)s::text[]::bigint[])
