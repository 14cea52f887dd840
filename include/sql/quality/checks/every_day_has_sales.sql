-- Days without a kept order, between the first and the last day with sales, that this shop's own
-- pace makes improbable. A day's orders are taken as Poisson with the rate this shop sold at on the
-- same weekday over the 8 weeks before (the 28 days before while fewer than 4 such weekdays exist,
-- the whole history before that): a day without orders fails when that chance is below 1 in 1,000
-- (a rate above ln 1000, about 6.9 orders a day). A small shop's quiet days pass; a day of orders
-- missing from a shop that sells every day does not.
with days as (
    select
        min(b.period_start) filter (where b.orders > 0) as first_day,
        max(b.period_start) filter (where b.orders > 0) as last_day
    from batch as b
),

calendar as (
    select
        gs.calendar_date::date as calendar_date,
        coalesce(b.orders, 0) as orders
    from days as d
    cross join generate_series(d.first_day, d.last_day, interval '1 day') as gs (calendar_date)
    left join batch as b on gs.calendar_date::date = b.period_start
),

paced as (
    select
        c.calendar_date,
        c.orders,
        avg(c.orders) over same_weekday as same_weekday_rate,
        count(*) over same_weekday as same_weekdays,
        avg(c.orders) over recent as recent_rate,
        count(*) over recent as recent_days,
        avg(c.orders) over () as history_rate
    from calendar as c
    window
        same_weekday as (
            partition by extract(isodow from c.calendar_date) order by c.calendar_date
            rows between 8 preceding and 1 preceding
        ),
        recent as (order by c.calendar_date rows between 28 preceding and 1 preceding)
),

judged as (
    select
        p.calendar_date,
        p.orders,
        case
            when p.same_weekdays >= 4 then p.same_weekday_rate
            when p.recent_days >= 7 then p.recent_rate
            else p.history_rate
        end as expected_orders
    from paced as p
)

select
    j.calendar_date as missing_day,
    j.orders,
    round(j.expected_orders, 2) as expected_orders,
    exp(-least(j.expected_orders, 700)::double precision) as chance_of_no_order
from judged as j
where j.orders = 0 and j.expected_orders > ln(1000)
