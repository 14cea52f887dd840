-- Keys, indexes, the updated_at triggers and the identity sequences of the shop database.
-- Applied once, right after create_source_tables.sql (and after a bulk load), with the
-- same search_path; the foreign keys follow in create_source_foreign_keys.sql.
-- The generator runs each statement in the transaction that loads the table it names.

-- The database, not the application, keeps updated_at current on every write, and
-- orders a row's versions the way they were written: each one is stamped after the
-- version it replaces. now() alone is the start of the writing transaction, so a long
-- transaction that rewrites a row after a later one committed it would stamp its
-- (newer) version older, and a newer-wins copy would keep the stale one. The trigger
-- runs once the row is locked, so old is the version just committed. The stamp is
-- never before the transaction's start either, which the extraction's watermark relies
-- on; rows written by one transaction still share one updated_at.
create or replace function touch_updated_at() returns trigger
language plpgsql as $$
begin
    new.updated_at := greatest(now(), old.updated_at + interval '1 microsecond');
    return new;
end;
$$;

alter table carriers
add constraint carriers_pkey primary key (carrier_code);

alter table fulfillment_centers
add constraint fulfillment_centers_pkey primary key (fulfillment_center_code);

alter table customers
add constraint customers_pkey primary key (customer_id),
add constraint customers_email_key unique (email);

alter table products
add constraint products_pkey primary key (product_id),
add constraint products_sku_key unique (sku);

alter table product_prices
add constraint product_prices_pkey primary key (product_id, valid_from);

alter table promotions
add constraint promotions_pkey primary key (promotion_id),
add constraint promotions_code_key unique (promotion_code);

alter table orders
add constraint orders_pkey primary key (order_id);

alter table order_items
add constraint order_items_pkey primary key (order_item_id),
add constraint order_items_line_key unique (order_id, line_number);

alter table payments
add constraint payments_pkey primary key (payment_id),
add constraint payments_attempt_key unique (order_id, attempt_number);

alter table shipments
add constraint shipments_pkey primary key (shipment_id),
add constraint shipments_order_key unique (order_id);

alter table returns
add constraint returns_pkey primary key (return_id);

-- Foreign keys that are not already the leading column of a key.
create index orders_customer_id_idx on orders (customer_id);
create index order_items_product_id_idx on order_items (product_id);
create index returns_order_item_id_idx on returns (order_item_id);

-- Change data capture reads rows by updated_at.
create index carriers_updated_at_idx on carriers (updated_at);
create index fulfillment_centers_updated_at_idx on fulfillment_centers (updated_at);
create index customers_updated_at_idx on customers (updated_at);
create index products_updated_at_idx on products (updated_at);
create index product_prices_updated_at_idx on product_prices (updated_at);
create index promotions_updated_at_idx on promotions (updated_at);
create index orders_updated_at_idx on orders (updated_at);
create index order_items_updated_at_idx on order_items (updated_at);
create index payments_updated_at_idx on payments (updated_at);
create index shipments_updated_at_idx on shipments (updated_at);
create index returns_updated_at_idx on returns (updated_at);

create trigger carriers_touch_updated_at before update on carriers
for each row execute function touch_updated_at();

create trigger fulfillment_centers_touch_updated_at before update on fulfillment_centers
for each row execute function touch_updated_at();

create trigger customers_touch_updated_at before update on customers
for each row execute function touch_updated_at();

create trigger products_touch_updated_at before update on products
for each row execute function touch_updated_at();

create trigger product_prices_touch_updated_at before update on product_prices
for each row execute function touch_updated_at();

create trigger promotions_touch_updated_at before update on promotions
for each row execute function touch_updated_at();

create trigger orders_touch_updated_at before update on orders
for each row execute function touch_updated_at();

create trigger order_items_touch_updated_at before update on order_items
for each row execute function touch_updated_at();

create trigger payments_touch_updated_at before update on payments
for each row execute function touch_updated_at();

create trigger shipments_touch_updated_at before update on shipments
for each row execute function touch_updated_at();

create trigger returns_touch_updated_at before update on returns
for each row execute function touch_updated_at();

-- A bulk load supplies its own ids; new rows continue after the largest one.
select setval(
    pg_get_serial_sequence('customers', 'customer_id'),
    (select coalesce(max(customer_id), 0) + 1 from customers),
    false
);

select setval(
    pg_get_serial_sequence('products', 'product_id'),
    (select coalesce(max(product_id), 0) + 1 from products),
    false
);

select setval(
    pg_get_serial_sequence('promotions', 'promotion_id'),
    (select coalesce(max(promotion_id), 0) + 1 from promotions),
    false
);

select setval(
    pg_get_serial_sequence('orders', 'order_id'),
    (select coalesce(max(order_id), 0) + 1 from orders),
    false
);

select setval(
    pg_get_serial_sequence('order_items', 'order_item_id'),
    (select coalesce(max(order_item_id), 0) + 1 from order_items),
    false
);

select setval(
    pg_get_serial_sequence('payments', 'payment_id'),
    (select coalesce(max(payment_id), 0) + 1 from payments),
    false
);

select setval(
    pg_get_serial_sequence('shipments', 'shipment_id'),
    (select coalesce(max(shipment_id), 0) + 1 from shipments),
    false
);

select setval(
    pg_get_serial_sequence('returns', 'return_id'),
    (select coalesce(max(return_id), 0) + 1 from returns),
    false
);
