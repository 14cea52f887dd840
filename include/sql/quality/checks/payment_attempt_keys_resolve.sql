-- Payment attempts with a key that points at no dimension member.
select
    b.payment_id,
    b.attempt_date_key,
    b.customer_key,
    b.channel_key,
    b.payment_method_key
from batch as b
left join dw.dim_date as d on b.attempt_date_key = d.date_key
left join dw.dim_customer as c on b.customer_key = c.customer_key
left join dw.dim_channel as ch on b.channel_key = ch.channel_key
left join dw.dim_payment_method as m on b.payment_method_key = m.payment_method_key
where
    d.date_key is null
    or c.customer_key is null
    or ch.channel_key is null
    or m.payment_method_key is null
