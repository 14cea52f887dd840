-- Rendered by `globalcart render-sql` from include/sql/templates/extract/select_changed.sql.j2
-- and the order_items contract in include/globalcart/warehouse/contracts.py.
-- The order items changed in [since, until): since is the watermark (inclusive, so rows sharing the
-- watermark's timestamp are read again and ignored by the merge if not newer).
select
    order_item_id,
    order_id,
    line_number,
    product_id,
    quantity,
    unit_price,
    discount_amount,
    created_at,
    updated_at
from shop.order_items
where updated_at >= %(since)s and updated_at < %(until)s
