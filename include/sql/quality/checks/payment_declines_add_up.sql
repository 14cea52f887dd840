-- Decline rows that break the table: more declines than attempts, or a whole-shop
-- row (channel and region 'any') that is not the sum of the rows it rolls up.
with members as (
    select
        b.attempt_date,
        b.payment_method,
        b.provider,
        sum(b.payment_attempts) as payment_attempts,
        sum(b.declined_attempts) as declined_attempts
    from batch as b
    where b.channel <> 'any' and b.region <> 'any'
    group by b.attempt_date, b.payment_method, b.provider
)

select
    b.attempt_date,
    b.channel,
    b.region,
    b.payment_method,
    b.provider,
    b.payment_attempts,
    b.declined_attempts,
    m.payment_attempts as members_attempts,
    m.declined_attempts as members_declined
from batch as b
left join members as m
    on
        b.attempt_date = m.attempt_date
        and b.payment_method = m.payment_method
        and b.provider = m.provider
where
    b.declined_attempts < 0
    or b.declined_attempts > b.payment_attempts
    or (
        b.channel = 'any' and b.region = 'any'
        and (
            m.payment_attempts is distinct from b.payment_attempts
            or m.declined_attempts is distinct from b.declined_attempts
        )
    )
