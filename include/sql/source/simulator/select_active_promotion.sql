select
    promotion_id,
    discount_rate
from shop.promotions
where status = 'active' and starts_at <= %(at)s and ends_at > %(at)s
order by starts_at desc
limit 1;
