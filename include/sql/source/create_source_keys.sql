-- Keys, foreign keys, indexes and the updated_at triggers of the shop database.
-- Applied once, right after create_source_tables.sql (and after a bulk load).

-- The database, not the application, keeps updated_at current on every write.
create or replace function shop.touch_updated_at() returns trigger
language plpgsql as $$
begin
    new.updated_at := now();
    return new;
end;
$$;

alter table shop.carriers
add constraint carriers_pkey primary key (carrier_code);

alter table shop.fulfillment_centers
add constraint fulfillment_centers_pkey primary key (fulfillment_center_code);

alter table shop.customers
add constraint customers_pkey primary key (customer_id),
add constraint customers_email_key unique (email);

alter table shop.products
add constraint products_pkey primary key (product_id),
add constraint products_sku_key unique (sku);

alter table shop.product_prices
add constraint product_prices_pkey primary key (product_id, valid_from),
add constraint product_prices_product_fk foreign key (product_id) references shop.products (product_id);

alter table shop.promotions
add constraint promotions_pkey primary key (promotion_id),
add constraint promotions_code_key unique (promotion_code);

alter table shop.orders
add constraint orders_pkey primary key (order_id),
add constraint orders_customer_fk foreign key (customer_id) references shop.customers (customer_id),
add constraint orders_promotion_fk foreign key (promotion_id) references shop.promotions (promotion_id);

alter table shop.order_items
add constraint order_items_pkey primary key (order_item_id),
add constraint order_items_line_key unique (order_id, line_number),
add constraint order_items_order_fk foreign key (order_id) references shop.orders (order_id),
add constraint order_items_product_fk foreign key (product_id) references shop.products (product_id);

alter table shop.payments
add constraint payments_pkey primary key (payment_id),
add constraint payments_attempt_key unique (order_id, attempt_number),
add constraint payments_order_fk foreign key (order_id) references shop.orders (order_id);

alter table shop.shipments
add constraint shipments_pkey primary key (shipment_id),
add constraint shipments_order_key unique (order_id),
add constraint shipments_order_fk foreign key (order_id) references shop.orders (order_id),
add constraint shipments_carrier_fk foreign key (carrier_code) references shop.carriers (carrier_code),
add constraint shipments_fulfillment_center_fk foreign key (
    fulfillment_center_code
) references shop.fulfillment_centers (fulfillment_center_code);

alter table shop.returns
add constraint returns_pkey primary key (return_id),
add constraint returns_order_item_fk foreign key (order_item_id) references shop.order_items (order_item_id);

-- Foreign keys that are not already the leading column of a key.
create index orders_customer_id_idx on shop.orders (customer_id);
create index order_items_product_id_idx on shop.order_items (product_id);
create index returns_order_item_id_idx on shop.returns (order_item_id);

-- Change data capture reads rows by updated_at.
create index carriers_updated_at_idx on shop.carriers (updated_at);
create index fulfillment_centers_updated_at_idx on shop.fulfillment_centers (updated_at);
create index customers_updated_at_idx on shop.customers (updated_at);
create index products_updated_at_idx on shop.products (updated_at);
create index product_prices_updated_at_idx on shop.product_prices (updated_at);
create index promotions_updated_at_idx on shop.promotions (updated_at);
create index orders_updated_at_idx on shop.orders (updated_at);
create index order_items_updated_at_idx on shop.order_items (updated_at);
create index payments_updated_at_idx on shop.payments (updated_at);
create index shipments_updated_at_idx on shop.shipments (updated_at);
create index returns_updated_at_idx on shop.returns (updated_at);

create trigger carriers_touch_updated_at before update on shop.carriers
for each row execute function shop.touch_updated_at();

create trigger fulfillment_centers_touch_updated_at before update on shop.fulfillment_centers
for each row execute function shop.touch_updated_at();

create trigger customers_touch_updated_at before update on shop.customers
for each row execute function shop.touch_updated_at();

create trigger products_touch_updated_at before update on shop.products
for each row execute function shop.touch_updated_at();

create trigger product_prices_touch_updated_at before update on shop.product_prices
for each row execute function shop.touch_updated_at();

create trigger promotions_touch_updated_at before update on shop.promotions
for each row execute function shop.touch_updated_at();

create trigger orders_touch_updated_at before update on shop.orders
for each row execute function shop.touch_updated_at();

create trigger order_items_touch_updated_at before update on shop.order_items
for each row execute function shop.touch_updated_at();

create trigger payments_touch_updated_at before update on shop.payments
for each row execute function shop.touch_updated_at();

create trigger shipments_touch_updated_at before update on shop.shipments
for each row execute function shop.touch_updated_at();

create trigger returns_touch_updated_at before update on shop.returns
for each row execute function shop.touch_updated_at();

-- A bulk load supplies its own ids; new rows continue after the largest one.
select setval(
    pg_get_serial_sequence('shop.customers', 'customer_id'),
    (select coalesce(max(customer_id), 0) + 1 from shop.customers),
    false
);

select setval(
    pg_get_serial_sequence('shop.products', 'product_id'),
    (select coalesce(max(product_id), 0) + 1 from shop.products),
    false
);

select setval(
    pg_get_serial_sequence('shop.promotions', 'promotion_id'),
    (select coalesce(max(promotion_id), 0) + 1 from shop.promotions),
    false
);

select setval(
    pg_get_serial_sequence('shop.orders', 'order_id'),
    (select coalesce(max(order_id), 0) + 1 from shop.orders),
    false
);

select setval(
    pg_get_serial_sequence('shop.order_items', 'order_item_id'),
    (select coalesce(max(order_item_id), 0) + 1 from shop.order_items),
    false
);

select setval(
    pg_get_serial_sequence('shop.payments', 'payment_id'),
    (select coalesce(max(payment_id), 0) + 1 from shop.payments),
    false
);

select setval(
    pg_get_serial_sequence('shop.shipments', 'shipment_id'),
    (select coalesce(max(shipment_id), 0) + 1 from shop.shipments),
    false
);

select setval(
    pg_get_serial_sequence('shop.returns', 'return_id'),
    (select coalesce(max(return_id), 0) + 1 from shop.returns),
    false
);
