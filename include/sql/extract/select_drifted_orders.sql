-- Rendered by `globalcart render-sql` from include/sql/templates/extract/select_drifted.sql.j2
-- and the orders contract in include/globalcart/warehouse/contracts.py.
-- The orders the reconciliation found differing from the mirror (%(keys)s), whatever
-- their updated_at: re-extracted so the merge repairs them.
select
    t.order_id,
    t.customer_id,
    t.channel,
    t.status,
    t.promotion_id,
    t.currency_code,
    t.ordered_at,
    t.paid_at,
    t.cancelled_at,
    t.created_at,
    t.updated_at
from shop.orders as t
where t.order_id = any(%(keys)s::text[]::bigint[])
