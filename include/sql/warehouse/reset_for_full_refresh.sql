-- Forget everything loaded so far, so the next extraction reads the whole source
-- and the star schema is rebuilt from it: the mirror, the star schema and every
-- table derived from what was loaded (a product's category history, the channels
-- and payment methods facts named), as if the warehouse were new. The audit
-- history (run log, transitions, rejected rows) is kept.
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
dw.dim_customer,
dw.dim_product,
dw.product_category_history,
dw.dim_promotion,
dw.dim_carrier,
dw.dim_fulfillment_center,
dw.dim_channel,
dw.dim_payment_method,
audit.watermarks,
audit.build_progress
restart identity;

-- The unknown members (-1), "no promotion" (0) and the known channels and payment
-- methods, as the migration created them (include/sql/warehouse/migrations/005_create_dimensions.sql).
insert into dw.dim_customer (customer_key, customer_id, region, segment, valid_from, is_inferred)
overriding system value
values (-1, -1, 'unknown', 'unknown', '-infinity', true);

insert into dw.dim_product (product_key, product_id, category, valid_from, is_inferred)
overriding system value
values (-1, -1, 'unknown', '-infinity', true);

insert into dw.dim_carrier (carrier_key, carrier_code, carrier_name, is_inferred)
values (-1, 'unknown', 'Unknown', true);

insert into dw.dim_fulfillment_center (fulfillment_center_key, fulfillment_center_code, is_inferred)
values (-1, 'unknown', true);

insert into dw.dim_promotion (promotion_key, promotion_id, promotion_code, is_inferred)
values (0, null, 'none', false);

insert into dw.dim_channel (channel_key, channel_code, channel_name) values
(-1, 'unknown', 'Unknown');

insert into dw.dim_channel (channel_code, channel_name) values
('web', 'Web shop'),
('mobile_app', 'Mobile app'),
('marketplace', 'Marketplace'),
('phone', 'Phone orders');

insert into dw.dim_payment_method (payment_method_key, payment_method_code, payment_method_name) values
(-1, 'unknown', 'Unknown');

insert into dw.dim_payment_method (payment_method_code, payment_method_name) values
('card', 'Card'),
('paypal', 'PayPal'),
('bank_transfer', 'Bank transfer'),
('gift_card', 'Gift card'),
('buy_now_pay_later', 'Buy now, pay later');
