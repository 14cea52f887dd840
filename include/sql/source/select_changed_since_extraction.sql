-- Source rows written since the extraction saw the source completely (each table's
-- complete_before): the warehouse cannot hold them as they are yet, so the reconciliation
-- leaves them out of both sides. Read in the same snapshot as the source's totals; each
-- part is a look-up on an updated_at index.
select
    array(
        select i.order_item_id
        from shop.order_items as i
        where i.updated_at >= %(order_items_complete_before)s
        union
        select i.order_item_id
        from shop.orders as o
        inner join shop.order_items as i on o.order_id = i.order_id
        where o.updated_at >= %(orders_complete_before)s
    ) as order_item_ids,
    array(
        select r.return_id
        from shop.returns as r
        where r.updated_at >= %(returns_complete_before)s
    ) as return_ids,
    array(
        select c.customer_id
        from shop.customers as c
        where c.updated_at >= %(customers_complete_before)s
    ) as customer_ids;
