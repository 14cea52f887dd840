select count(*) as order_lines from shop.order_items;
