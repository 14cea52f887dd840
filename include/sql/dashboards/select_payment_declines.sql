-- Decline rate by payment method and provider over the period and filter.
select
    d.payment_method,
    d.provider,
    sum(d.payment_attempts) as payment_attempts,
    sum(d.declined_attempts) as declined_attempts,
    round(sum(d.declined_attempts)::numeric / nullif(sum(d.payment_attempts), 0), 4) as decline_rate,
    sum(d.declined_amount) as declined_amount
from marts.payment_declines as d
where
    d.attempt_date between %(period_from)s::date and %(period_to)s::date
    and (%(channel)s::text is null or d.channel = %(channel)s::text)
    and (%(region)s::text is null or d.region = %(region)s::text)
group by d.payment_method, d.provider
order by d.payment_method, d.provider;
