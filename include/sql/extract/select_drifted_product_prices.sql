-- Rendered by `globalcart render-sql` from include/sql/templates/extract/select_drifted.sql.j2
-- and the product_prices contract in include/globalcart/warehouse/contracts.py.
-- The product prices the reconciliation found differing from the mirror (%(keys)s), whatever
-- their updated_at: re-extracted so the merge repairs them.
select
    t.product_id,
    t.valid_from,
    t.list_price,
    t.unit_cost,
    t.created_at,
    t.updated_at
from shop.product_prices as t
where t.product_id::text || ', ' || (t.valid_from at time zone 'UTC')::text = any(%(keys)s::text[])
