-- Forget everything loaded so far, so the next extraction reads the whole source
-- and the star schema is rebuilt from it. The audit history (run log, transitions,
-- rejected rows) is kept.
truncate
mirror.carriers,
mirror.fulfillment_centers,
mirror.customers,
mirror.products,
mirror.product_prices,
mirror.promotions,
mirror.orders,
mirror.order_items,
mirror.payments,
mirror.shipments,
mirror.returns,
dw.fct_order_line,
dw.fct_payment_attempt,
dw.fct_shipment,
dw.fct_return_line,
audit.watermarks,
audit.build_progress;

delete from dw.dim_customer
where customer_key <> -1;
delete from dw.dim_product
where product_key <> -1;
delete from dw.dim_promotion
where promotion_key <> 0;
delete from dw.dim_carrier
where carrier_key <> -1;
delete from dw.dim_fulfillment_center
where fulfillment_center_key <> -1;
