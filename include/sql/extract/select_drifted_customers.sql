-- Rendered by `globalcart render-sql` from include/sql/templates/extract/select_drifted.sql.j2
-- and the customers contract in include/globalcart/warehouse/contracts.py.
-- The customers the reconciliation found differing from the mirror (%(keys)s), whatever
-- their updated_at: re-extracted so the merge repairs them.
select
    t.customer_id,
    t.email,
    t.full_name,
    t.region,
    t.country_code,
    t.segment,
    t.acquisition_channel,
    t.status,
    t.signed_up_at,
    t.created_at,
    t.updated_at
from shop.customers as t
where t.customer_id = any(%(keys)s::text[]::bigint[])
