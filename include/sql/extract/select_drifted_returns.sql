-- Rendered by `globalcart render-sql` from include/sql/templates/extract/select_drifted.sql.j2
-- and the returns contract in include/globalcart/warehouse/contracts.py.
-- The returns the reconciliation found differing from the mirror (%(keys)s), whatever
-- their updated_at: re-extracted so the merge repairs them.
select
    t.return_id,
    t.order_item_id,
    t.quantity,
    t.refund_amount,
    t.reason,
    t.status,
    t.requested_at,
    t.received_at,
    t.refunded_at,
    t.created_at,
    t.updated_at
from shop.returns as t
where t.return_id = any(%(keys)s::text[]::bigint[])
