-- Rendered by `globalcart render-sql` from include/sql/templates/extract/select_drifted.sql.j2
-- and the promotions contract in include/globalcart/warehouse/contracts.py.
-- The promotions the reconciliation found differing from the mirror (%(keys)s), whatever
-- their updated_at: re-extracted so the merge repairs them.
select
    t.promotion_id,
    t.promotion_code,
    t.discount_rate,
    t.starts_at,
    t.ends_at,
    t.status,
    t.created_at,
    t.updated_at
from shop.promotions as t
where t.promotion_id = any(%(keys)s::text[]::bigint[])
