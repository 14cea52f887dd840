insert into shop.shipments (order_id, carrier_code, fulfillment_center_code, shipping_cost, promised_at)
select
    s.order_id,
    s.carrier_code,
    s.fulfillment_center_code,
    s.shipping_cost,
    s.promised_at
from unnest(
    %(order_id)s::bigint[],
    %(carrier_code)s::text[],
    %(fulfillment_center_code)s::text[],
    %(shipping_cost)s::numeric[],
    %(promised_at)s::timestamptz[]
) as s (order_id, carrier_code, fulfillment_center_code, shipping_cost, promised_at);
