-- Drift 100 order lines spread over the table as a writer that bypasses updated_at would.
set local session_replication_role = replica;

update shop.order_items
set discount_amount = discount_amount + 0.01
where order_item_id in (
    select g * (select max(order_item_id) / 100 from shop.order_items)
    from generate_series(1, 100) as g
);
