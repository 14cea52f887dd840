-- Order lines that fell back on the unknown member (-1) of a dimension.
select
    b.order_item_id,
    b.customer_key,
    b.product_key,
    b.channel_key
from batch as b
where -1 in (b.customer_key, b.product_key, b.channel_key)
