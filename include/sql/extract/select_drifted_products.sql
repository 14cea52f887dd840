-- Rendered by `globalcart render-sql` from include/sql/templates/extract/select_drifted.sql.j2
-- and the products contract in include/globalcart/warehouse/contracts.py.
-- The products the reconciliation found differing from the mirror (%(keys)s), whatever
-- their updated_at: re-extracted so the merge repairs them.
select
    t.product_id,
    t.sku,
    t.product_name,
    t.category,
    t.brand,
    t.list_price,
    t.unit_cost,
    t.is_active,
    t.created_at,
    t.updated_at
from shop.products as t
where t.product_id = any(%(keys)s::text[]::bigint[])
