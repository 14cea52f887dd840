-- A back-office correction on old orders: marketplace orders that had been logged as web orders.
update shop.orders
set channel = 'marketplace'
where order_id in (
    select order_id
    from shop.orders
    where channel = 'web' and ordered_at < %(older_than)s
    order by order_id
    limit %(row_count)s
);
