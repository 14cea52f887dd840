-- Rendered by `globalcart render-sql` from include/sql/templates/extract/select_changed.sql.j2
-- and the products contract in include/globalcart/warehouse/contracts.py.
-- The products changed in [since, until): since is the watermark (inclusive, so rows sharing the
-- watermark's timestamp are read again and ignored by the merge if not newer).
select
    product_id,
    sku,
    product_name,
    category,
    brand,
    list_price,
    unit_cost,
    is_active,
    created_at,
    updated_at
from shop.products
where updated_at >= %(since)s and updated_at < %(until)s
