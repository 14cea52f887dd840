-- Return lines with a key that points at no dimension member, or at no order line.
select
    b.return_id,
    b.order_item_id,
    b.requested_date_key,
    b.customer_key,
    b.product_key
from batch as b
left join dw.dim_date as d on b.requested_date_key = d.date_key
left join dw.dim_customer as c on b.customer_key = c.customer_key
left join dw.dim_product as p on b.product_key = p.product_key
left join dw.fct_order_line as f on b.order_item_id = f.order_item_id
where
    d.date_key is null
    or c.customer_key is null
    or p.product_key is null
    or f.order_item_id is null
