-- Shipments with a key that points at no dimension member.
select
    b.shipment_id,
    b.order_date_key,
    b.customer_key,
    b.carrier_key,
    b.fulfillment_center_key
from batch as b
left join dw.dim_date as d on b.order_date_key = d.date_key
left join dw.dim_customer as c on b.customer_key = c.customer_key
left join dw.dim_carrier as ca on b.carrier_key = ca.carrier_key
left join dw.dim_fulfillment_center as fc on b.fulfillment_center_key = fc.fulfillment_center_key
where
    d.date_key is null
    or c.customer_key is null
    or ca.carrier_key is null
    or fc.fulfillment_center_key is null
