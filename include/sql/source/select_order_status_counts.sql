select
    status,
    count(*) as order_count
from shop.orders
group by status
order by order_count desc;
