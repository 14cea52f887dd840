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
    d.channel = coalesce(%(channel)s::text, 'any')
    and d.region = coalesce(%(region)s::text, 'any')
    and d.attempt_date between %(period_from)s::date and %(period_to)s::date
group by d.payment_method, d.provider
order by d.payment_method, d.provider;
