-- Bank transfers whose money arrived: the authorized payment is captured (the order is marked paid beside it).
update shop.payments as p
set status = 'captured'
from unnest(%(order_id)s::bigint[]) as x (order_id)
where p.order_id = x.order_id and p.status = 'authorized';
