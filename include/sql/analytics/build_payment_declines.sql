-- Payment declines as of %(as_of)s: attempts and declines per attempt day, channel,
-- customer region, payment method and provider, for the operations dashboard's
-- decline rate by method and provider (declined ÷ attempts over any filter), with
-- channel and region also rolled up to 'any'.
-- Written to `candidate`.
drop table if exists candidate.payment_declines;
create table candidate.payment_declines (like marts.payment_declines including all);

insert into candidate.payment_declines
select
    case when grouping(ch.channel_code) = 1 then 'any' else ch.channel_code end as channel,
    case when grouping(c.region) = 1 then 'any' else c.region end as region,
    to_date(p.attempt_date_key::text, 'YYYYMMDD') as attempt_date,
    m.payment_method_code as payment_method,
    p.provider,
    count(*) as payment_attempts,
    count(*) filter (where p.is_declined) as declined_attempts,
    coalesce(sum(p.amount) filter (where p.is_declined), 0) as declined_amount
from dw.fct_payment_attempt as p
inner join dw.dim_channel as ch on p.channel_key = ch.channel_key
inner join dw.dim_customer as c on p.customer_key = c.customer_key
inner join dw.dim_payment_method as m on p.payment_method_key = m.payment_method_key
where p.attempted_at < %(as_of)s::date + 1
group by
    p.attempt_date_key, m.payment_method_code, p.provider,
    cube (ch.channel_code, c.region);
