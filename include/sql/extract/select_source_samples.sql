-- Rendered by `globalcart render-sql` from include/sql/templates/extract/select_source_samples.sql.j2.
-- The rows the source holds under the keys the warehouse sampled (one array of keys per
-- table, named after it), when it created them, and each table's highest key: read in the
-- extraction's snapshot, one index lookup each.
select
    'customers' as table_name,
    s.customer_id as source_key,
    s.created_at,
    null::bigint as highest_key
from shop.customers as s
where s.customer_id = any(%(customers)s::bigint[])
union all
select
    'customers' as table_name,
    null::bigint as source_key,
    null::timestamptz as created_at,
    (select max(h.customer_id) from shop.customers as h) as highest_key
union all
select
    'products' as table_name,
    s.product_id as source_key,
    s.created_at,
    null::bigint as highest_key
from shop.products as s
where s.product_id = any(%(products)s::bigint[])
union all
select
    'products' as table_name,
    null::bigint as source_key,
    null::timestamptz as created_at,
    (select max(h.product_id) from shop.products as h) as highest_key
union all
select
    'promotions' as table_name,
    s.promotion_id as source_key,
    s.created_at,
    null::bigint as highest_key
from shop.promotions as s
where s.promotion_id = any(%(promotions)s::bigint[])
union all
select
    'promotions' as table_name,
    null::bigint as source_key,
    null::timestamptz as created_at,
    (select max(h.promotion_id) from shop.promotions as h) as highest_key
union all
select
    'orders' as table_name,
    s.order_id as source_key,
    s.created_at,
    null::bigint as highest_key
from shop.orders as s
where s.order_id = any(%(orders)s::bigint[])
union all
select
    'orders' as table_name,
    null::bigint as source_key,
    null::timestamptz as created_at,
    (select max(h.order_id) from shop.orders as h) as highest_key
union all
select
    'order_items' as table_name,
    s.order_item_id as source_key,
    s.created_at,
    null::bigint as highest_key
from shop.order_items as s
where s.order_item_id = any(%(order_items)s::bigint[])
union all
select
    'order_items' as table_name,
    null::bigint as source_key,
    null::timestamptz as created_at,
    (select max(h.order_item_id) from shop.order_items as h) as highest_key
union all
select
    'payments' as table_name,
    s.payment_id as source_key,
    s.created_at,
    null::bigint as highest_key
from shop.payments as s
where s.payment_id = any(%(payments)s::bigint[])
union all
select
    'payments' as table_name,
    null::bigint as source_key,
    null::timestamptz as created_at,
    (select max(h.payment_id) from shop.payments as h) as highest_key
union all
select
    'shipments' as table_name,
    s.shipment_id as source_key,
    s.created_at,
    null::bigint as highest_key
from shop.shipments as s
where s.shipment_id = any(%(shipments)s::bigint[])
union all
select
    'shipments' as table_name,
    null::bigint as source_key,
    null::timestamptz as created_at,
    (select max(h.shipment_id) from shop.shipments as h) as highest_key
union all
select
    'returns' as table_name,
    s.return_id as source_key,
    s.created_at,
    null::bigint as highest_key
from shop.returns as s
where s.return_id = any(%(returns)s::bigint[])
union all
select
    'returns' as table_name,
    null::bigint as source_key,
    null::timestamptz as created_at,
    (select max(h.return_id) from shop.returns as h) as highest_key
