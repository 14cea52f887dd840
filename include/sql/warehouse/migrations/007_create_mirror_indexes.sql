-- The builds follow references from a changed row to the rows that depend on it.
create index if not exists order_items_order_idx on mirror.order_items (order_id);
create index if not exists order_items_product_idx on mirror.order_items (product_id);
create index if not exists orders_customer_idx on mirror.orders (customer_id);
create index if not exists payments_order_idx on mirror.payments (order_id);
create index if not exists shipments_order_idx on mirror.shipments (order_id);
create index if not exists returns_order_item_idx on mirror.returns (order_item_id);
