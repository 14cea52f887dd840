-- Rendered by `globalcart render-sql` from include/sql/templates/extract/select_changed.sql.j2
-- and the returns contract in include/globalcart/warehouse/contracts.py.
-- The returns changed in [since, until): since is the watermark (inclusive, so rows sharing the
-- watermark's timestamp are read again and ignored by the merge if not newer).
select
    return_id,
    order_item_id,
    quantity,
    refund_amount,
    reason,
    status,
    requested_at,
    received_at,
    refunded_at,
    created_at,
    updated_at
from shop.returns
where updated_at >= %(since)s and updated_at < %(until)s
