-- Shipments that fell back on the unknown carrier or fulfillment center (-1).
select
    b.shipment_id,
    b.carrier_key,
    b.fulfillment_center_key
from batch as b
where -1 in (b.carrier_key, b.fulfillment_center_key)
