-- Rendered by `globalcart render-sql` from include/sql/templates/extract/select_changed.sql.j2
-- and the orders contract in include/globalcart/warehouse/contracts.py.
-- The orders changed in [since, until): since is the watermark (inclusive, so rows sharing the
-- watermark's timestamp are read again and ignored by the merge if not newer).
select
    order_id,
    customer_id,
    channel,
    status,
    promotion_id,
    currency_code,
    ordered_at,
    paid_at,
    cancelled_at,
    created_at,
    updated_at
from shop.orders
where updated_at >= %(since)s and updated_at < %(until)s
