update shop.orders as o
set status = 'paid', paid_at = p.paid_at
from unnest(%(order_id)s::bigint[], %(paid_at)s::timestamptz[]) as p (order_id, paid_at)
where o.order_id = p.order_id and o.status = 'placed';
