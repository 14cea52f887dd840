-- Order lines per hour over the four weeks before the shop's newest order: the pace a simulated step follows.
select count(*)::float / (28 * 24) as order_lines_per_hour
from shop.order_items as oi
inner join shop.orders as o on oi.order_id = o.order_id
where o.ordered_at >= (select max(ordered_at) from shop.orders) - interval '28 days';
