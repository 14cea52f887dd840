-- Paid orders whose parcel is still at the fulfillment center, with the delivery they were promised.
select
    o.order_id,
    o.paid_at,
    s.promised_at
from shop.orders as o
inner join shop.shipments as s on o.order_id = s.order_id
where o.status = 'paid' and s.status = 'label_created'
order by o.order_id;
