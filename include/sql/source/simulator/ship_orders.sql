with shipped as (
    update shop.shipments as s
    set status = 'shipped', shipped_at = x.shipped_at
    from unnest(%(order_id)s::bigint[], %(shipped_at)s::timestamptz[]) as x (order_id, shipped_at)
    where s.order_id = x.order_id and s.status = 'label_created'
    returning s.order_id
)

update shop.orders as o
set status = 'shipped'
from shipped
where o.order_id = shipped.order_id and o.status = 'paid';
