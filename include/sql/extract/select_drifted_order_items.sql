-- Rendered by `globalcart render-sql` from include/sql/templates/extract/select_drifted.sql.j2
-- and the order_items contract in include/globalcart/warehouse/contracts.py.
-- The order items the reconciliation found differing from the mirror (%(keys)s), whatever
-- their updated_at: re-extracted so the merge repairs them.
select
    t.order_item_id,
    t.order_id,
    t.line_number,
    t.product_id,
    t.quantity,
    t.unit_price,
    t.discount_amount,
    t.created_at,
    t.updated_at
from shop.order_items as t
where t.order_item_id = any(%(keys)s::text[]::bigint[])
