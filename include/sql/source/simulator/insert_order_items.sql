insert into shop.order_items (order_id, line_number, product_id, quantity, unit_price, discount_amount)
select
    i.order_id,
    i.line_number,
    i.product_id,
    i.quantity,
    i.unit_price,
    i.discount_amount
from unnest(
    %(order_id)s::bigint[],
    %(line_number)s::integer[],
    %(product_id)s::bigint[],
    %(quantity)s::integer[],
    %(unit_price)s::numeric[],
    %(discount_amount)s::numeric[]
) as i (order_id, line_number, product_id, quantity, unit_price, discount_amount);
