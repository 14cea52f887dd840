-- Days between the first and the last day with sales that have none: a day of
-- orders missing from the warehouse, not a quiet day for a shop of this size.
with days as (
    select
        min(b.period_start) filter (where b.orders > 0) as first_day,
        max(b.period_start) filter (where b.orders > 0) as last_day
    from batch as b
),

calendar as (
    select gs.calendar_date::date as calendar_date
    from days as d
    cross join generate_series(d.first_day, d.last_day, interval '1 day') as gs (calendar_date)
)

select
    c.calendar_date as missing_day,
    coalesce(b.orders, 0) as orders
from calendar as c
left join batch as b on c.calendar_date = b.period_start
where coalesce(b.orders, 0) = 0
