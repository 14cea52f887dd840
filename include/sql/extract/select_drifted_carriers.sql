-- Rendered by `globalcart render-sql` from include/sql/templates/extract/select_drifted.sql.j2
-- and the carriers contract in include/globalcart/warehouse/contracts.py.
-- The carriers the reconciliation found differing from the mirror (%(keys)s), whatever
-- their updated_at: re-extracted so the merge repairs them.
select
    t.carrier_code,
    t.carrier_name,
    t.created_at,
    t.updated_at
from shop.carriers as t
where t.carrier_code::text = any(%(keys)s::text[])
