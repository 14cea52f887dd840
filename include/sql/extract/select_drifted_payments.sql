-- Rendered by `globalcart render-sql` from include/sql/templates/extract/select_drifted.sql.j2
-- and the payments contract in include/globalcart/warehouse/contracts.py.
-- The payments the reconciliation found differing from the mirror (%(keys)s), whatever
-- their updated_at: re-extracted so the merge repairs them.
select
    t.payment_id,
    t.order_id,
    t.attempt_number,
    t.payment_method,
    t.provider,
    t.status,
    t.amount,
    t.decline_reason,
    t.attempted_at,
    t.created_at,
    t.updated_at
from shop.payments as t
where t.payment_id = any(%(keys)s::text[]::bigint[])
