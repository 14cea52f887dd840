-- Refund the net price paid for the returned units, or reject the return (no refund).
update shop.returns as r
set
    status = x.status,
    refunded_at = case when x.status = 'refunded' then x.settled_at end,
    refund_amount = case
        when x.status = 'refunded'
            then round(r.quantity * (i.unit_price - i.discount_amount / i.quantity), 2)
        else 0
    end
from
    unnest(
        %(return_id)s::bigint[], %(status)s::text[], %(settled_at)s::timestamptz[]
    ) as x (return_id, status, settled_at),
    shop.order_items as i
where
    r.return_id = x.return_id
    and i.order_item_id = r.order_item_id
    and r.status = 'received';
