-- Orders per day over the four weeks before the step: the shop's current pace.
select count(*)::float / 28 as orders_per_day
from shop.orders
where ordered_at >= %(since)s::timestamptz - interval '28 days' and ordered_at < %(since)s;
