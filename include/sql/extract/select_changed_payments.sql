-- Rendered by `globalcart render-sql` from include/sql/templates/extract/select_changed.sql.j2
-- and the payments contract in include/globalcart/warehouse/contracts.py.
-- The payments changed in [since, until): since is the watermark (inclusive, so rows sharing the
-- watermark's timestamp are read again and ignored by the merge if not newer).
select
    payment_id,
    order_id,
    attempt_number,
    payment_method,
    provider,
    status,
    amount,
    decline_reason,
    attempted_at,
    created_at,
    updated_at
from shop.payments
where updated_at >= %(since)s and updated_at < %(until)s
