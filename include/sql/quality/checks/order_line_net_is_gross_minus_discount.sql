-- Order lines whose amounts do not add up.
select
    b.order_item_id,
    b.gross_amount,
    b.discount_amount,
    b.net_amount
from batch as b
where b.net_amount != b.gross_amount - b.discount_amount
