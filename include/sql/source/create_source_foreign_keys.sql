-- Foreign keys of the shop database, added (and checked) once every table is loaded:
-- after create_source_keys.sql, with the same search_path.

alter table product_prices
add constraint product_prices_product_fk foreign key (product_id) references products (product_id);

alter table orders
add constraint orders_customer_fk foreign key (customer_id) references customers (customer_id),
add constraint orders_promotion_fk foreign key (promotion_id) references promotions (promotion_id);

alter table order_items
add constraint order_items_order_fk foreign key (order_id) references orders (order_id),
add constraint order_items_product_fk foreign key (product_id) references products (product_id);

alter table payments
add constraint payments_order_fk foreign key (order_id) references orders (order_id);

alter table shipments
add constraint shipments_order_fk foreign key (order_id) references orders (order_id),
add constraint shipments_carrier_fk foreign key (carrier_code) references carriers (carrier_code),
add constraint shipments_fulfillment_center_fk foreign key (
    fulfillment_center_code
) references fulfillment_centers (fulfillment_center_code);

alter table returns
add constraint returns_order_item_fk foreign key (order_item_id) references order_items (order_item_id);
