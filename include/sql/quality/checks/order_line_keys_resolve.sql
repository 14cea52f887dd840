-- Order lines with a key that points at no dimension member.
select
    b.order_item_id,
    b.order_date_key,
    b.customer_key,
    b.product_key,
    b.channel_key,
    b.promotion_key
from batch as b
left join dw.dim_date as d on b.order_date_key = d.date_key
left join dw.dim_customer as c on b.customer_key = c.customer_key
left join dw.dim_product as p on b.product_key = p.product_key
left join dw.dim_channel as ch on b.channel_key = ch.channel_key
left join dw.dim_promotion as pr on b.promotion_key = pr.promotion_key
where
    d.date_key is null
    or c.customer_key is null
    or p.product_key is null
    or ch.channel_key is null
    or pr.promotion_key is null
