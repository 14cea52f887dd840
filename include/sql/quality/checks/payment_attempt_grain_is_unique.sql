-- Payment attempts that share their order and attempt number with another attempt.
select
    b.payment_id,
    b.order_id,
    b.attempt_number,
    p.payment_id as also_payment_id
from batch as b
inner join dw.fct_payment_attempt as p
    on b.order_id = p.order_id and b.attempt_number = p.attempt_number and b.payment_id != p.payment_id
