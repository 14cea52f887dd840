with delivered as (
    update shop.shipments as s
    set status = 'delivered', delivered_at = x.delivered_at
    from unnest(%(order_id)s::bigint[], %(delivered_at)s::timestamptz[]) as x (order_id, delivered_at)
    where s.order_id = x.order_id and s.status = 'shipped'
    returning s.order_id
)

update shop.orders as o
set status = 'delivered'
from delivered
where o.order_id = delivered.order_id and o.status = 'shipped';
