-- Rendered by `globalcart render-sql` from include/sql/templates/extract/select_source_newest.sql.j2.
-- The newest updated_at of each source table: one index lookup per table, cheap enough to poll
-- every few seconds (each table's updated_at index serves it).
select
    'carriers' as table_name,
    (select max(updated_at) from shop.carriers) as newest_updated_at
union all
select
    'fulfillment_centers' as table_name,
    (select max(updated_at) from shop.fulfillment_centers) as newest_updated_at
union all
select
    'customers' as table_name,
    (select max(updated_at) from shop.customers) as newest_updated_at
union all
select
    'products' as table_name,
    (select max(updated_at) from shop.products) as newest_updated_at
union all
select
    'product_prices' as table_name,
    (select max(updated_at) from shop.product_prices) as newest_updated_at
union all
select
    'promotions' as table_name,
    (select max(updated_at) from shop.promotions) as newest_updated_at
union all
select
    'orders' as table_name,
    (select max(updated_at) from shop.orders) as newest_updated_at
union all
select
    'order_items' as table_name,
    (select max(updated_at) from shop.order_items) as newest_updated_at
union all
select
    'payments' as table_name,
    (select max(updated_at) from shop.payments) as newest_updated_at
union all
select
    'shipments' as table_name,
    (select max(updated_at) from shop.shipments) as newest_updated_at
union all
select
    'returns' as table_name,
    (select max(updated_at) from shop.returns) as newest_updated_at
