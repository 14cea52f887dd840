insert into shop.returns (order_item_id, quantity, reason, requested_at)
select
    r.order_item_id,
    r.quantity,
    r.reason,
    r.requested_at
from unnest(
    %(order_item_id)s::bigint[],
    %(quantity)s::integer[],
    %(reason)s::text[],
    %(requested_at)s::timestamptz[]
) as r (order_item_id, quantity, reason, requested_at);
