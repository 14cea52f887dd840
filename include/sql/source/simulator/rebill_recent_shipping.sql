-- A carrier re-bills a fuel surcharge: one statement, so every row shares one updated_at.
update shop.shipments
set shipping_cost = round(shipping_cost * 1.03, 2)
where shipment_id in (
    select shipment_id
    from shop.shipments
    where shipped_at is not null
    order by shipment_id desc
    limit %(row_count)s
);
