-- Paid orders whose parcel is still at the fulfillment center.
select
    o.order_id,
    o.paid_at
from shop.orders as o
where o.status = 'paid'
order by o.order_id;
