-- The deepest promotion running at the given time: the one an order uses.
select
    promotion_id,
    discount_rate
from shop.promotions
where status = 'active' and starts_at <= %(at)s and ends_at > %(at)s
order by discount_rate desc, starts_at desc
limit 1;
