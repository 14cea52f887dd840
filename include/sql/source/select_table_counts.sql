-- Row counts of the shop's tables, largest first.
select
    counts.table_name,
    counts.row_count
from (
    values
    ('customers', (select count(*) from shop.customers)),
    ('products', (select count(*) from shop.products)),
    ('product_prices', (select count(*) from shop.product_prices)),
    ('promotions', (select count(*) from shop.promotions)),
    ('orders', (select count(*) from shop.orders)),
    ('order_items', (select count(*) from shop.order_items)),
    ('payments', (select count(*) from shop.payments)),
    ('shipments', (select count(*) from shop.shipments)),
    ('returns', (select count(*) from shop.returns))
) as counts (table_name, row_count)
order by counts.row_count desc;
