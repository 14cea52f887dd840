select
    customer_id,
    acquisition_channel
from shop.customers
where customer_id = any(%(customer_ids)s) and status = 'active'
order by customer_id;
