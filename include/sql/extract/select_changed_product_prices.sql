-- Rendered by `globalcart render-sql` from include/sql/templates/extract/select_changed.sql.j2
-- and the product_prices contract in include/globalcart/warehouse/contracts.py.
-- The product prices changed in [since, until): since is the watermark (inclusive, so rows sharing the
-- watermark's timestamp are read again and ignored by the merge if not newer).
select
    product_id,
    valid_from,
    list_price,
    unit_cost,
    created_at,
    updated_at
from shop.product_prices
where updated_at >= %(since)s and updated_at < %(until)s
