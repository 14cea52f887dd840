select
    s.order_id,
    s.carrier_code,
    s.fulfillment_center_code,
    s.shipped_at,
    s.promised_at
from shop.shipments as s
where s.status = 'shipped'
order by s.order_id;
