-- Soft cancellation: the order stays, its status says cancelled, a captured payment is refunded.
with cancelled as (
    update shop.orders as o
    set status = 'cancelled', cancelled_at = c.cancelled_at
    from unnest(%(order_id)s::bigint[], %(cancelled_at)s::timestamptz[]) as c (order_id, cancelled_at)
    where o.order_id = c.order_id and o.status in ('placed', 'paid')
    returning o.order_id
)

update shop.payments as p
set status = 'refunded'
from cancelled
where p.order_id = cancelled.order_id and p.status in ('captured', 'authorized');
