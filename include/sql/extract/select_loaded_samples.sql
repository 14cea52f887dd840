-- Rendered by `globalcart render-sql` from include/sql/templates/extract/select_loaded_samples.sql.j2.
-- A few rows the warehouse loaded from each source table with a numbered key (the lowest
-- and the highest keys) and when the source created them: the extraction checks that the
-- source still holds the same rows under those keys before it loads anything.
(
    select
        'customers' as table_name,
        'lowest' as sample,
        m.customer_id as source_key,
        m.created_at
    from mirror.customers as m
    order by m.customer_id
    limit 3
)
union all
(
    select
        'customers' as table_name,
        'highest' as sample,
        m.customer_id as source_key,
        m.created_at
    from mirror.customers as m
    order by m.customer_id desc
    limit 3
)
union all
(
    select
        'products' as table_name,
        'lowest' as sample,
        m.product_id as source_key,
        m.created_at
    from mirror.products as m
    order by m.product_id
    limit 3
)
union all
(
    select
        'products' as table_name,
        'highest' as sample,
        m.product_id as source_key,
        m.created_at
    from mirror.products as m
    order by m.product_id desc
    limit 3
)
union all
(
    select
        'promotions' as table_name,
        'lowest' as sample,
        m.promotion_id as source_key,
        m.created_at
    from mirror.promotions as m
    order by m.promotion_id
    limit 3
)
union all
(
    select
        'promotions' as table_name,
        'highest' as sample,
        m.promotion_id as source_key,
        m.created_at
    from mirror.promotions as m
    order by m.promotion_id desc
    limit 3
)
union all
(
    select
        'orders' as table_name,
        'lowest' as sample,
        m.order_id as source_key,
        m.created_at
    from mirror.orders as m
    order by m.order_id
    limit 3
)
union all
(
    select
        'orders' as table_name,
        'highest' as sample,
        m.order_id as source_key,
        m.created_at
    from mirror.orders as m
    order by m.order_id desc
    limit 3
)
union all
(
    select
        'order_items' as table_name,
        'lowest' as sample,
        m.order_item_id as source_key,
        m.created_at
    from mirror.order_items as m
    order by m.order_item_id
    limit 3
)
union all
(
    select
        'order_items' as table_name,
        'highest' as sample,
        m.order_item_id as source_key,
        m.created_at
    from mirror.order_items as m
    order by m.order_item_id desc
    limit 3
)
union all
(
    select
        'payments' as table_name,
        'lowest' as sample,
        m.payment_id as source_key,
        m.created_at
    from mirror.payments as m
    order by m.payment_id
    limit 3
)
union all
(
    select
        'payments' as table_name,
        'highest' as sample,
        m.payment_id as source_key,
        m.created_at
    from mirror.payments as m
    order by m.payment_id desc
    limit 3
)
union all
(
    select
        'shipments' as table_name,
        'lowest' as sample,
        m.shipment_id as source_key,
        m.created_at
    from mirror.shipments as m
    order by m.shipment_id
    limit 3
)
union all
(
    select
        'shipments' as table_name,
        'highest' as sample,
        m.shipment_id as source_key,
        m.created_at
    from mirror.shipments as m
    order by m.shipment_id desc
    limit 3
)
union all
(
    select
        'returns' as table_name,
        'lowest' as sample,
        m.return_id as source_key,
        m.created_at
    from mirror.returns as m
    order by m.return_id
    limit 3
)
union all
(
    select
        'returns' as table_name,
        'highest' as sample,
        m.return_id as source_key,
        m.created_at
    from mirror.returns as m
    order by m.return_id desc
    limit 3
)
