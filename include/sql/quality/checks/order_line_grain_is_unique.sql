-- Order lines that share their order and line number with another line.
select
    b.order_item_id,
    b.order_id,
    b.line_number,
    f.order_item_id as also_order_item_id
from batch as b
inner join dw.fct_order_line as f
    on b.order_id = f.order_id and b.line_number = f.line_number and b.order_item_id != f.order_item_id
