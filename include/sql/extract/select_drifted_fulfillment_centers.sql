-- Rendered by `globalcart render-sql` from include/sql/templates/extract/select_drifted.sql.j2
-- and the fulfillment_centers contract in include/globalcart/warehouse/contracts.py.
-- The fulfillment centers the reconciliation found differing from the mirror (%(keys)s), whatever
-- their updated_at: re-extracted so the merge repairs them.
select
    t.fulfillment_center_code,
    t.city,
    t.region,
    t.created_at,
    t.updated_at
from shop.fulfillment_centers as t
where t.fulfillment_center_code::text = any(%(keys)s::text[])
