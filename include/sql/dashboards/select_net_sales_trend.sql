-- Daily net sales of the period under the filter, from the published cube.
select
    d.day::date as period_start,
    coalesce(sum(c.gross_sales) - sum(c.discounts) - sum(c.returns_amount), 0) as net_sales
from generate_series(%(period_from)s::date, %(period_to)s::date, interval '1 day') as d (day)
left join marts.kpi_cube_daily as c
    on
        d.day = c.period_start
        and (%(channel)s::text is null or c.channel = %(channel)s::text)
        and (%(region)s::text is null or c.region = %(region)s::text)
        and (%(category)s::text is null or c.category = %(category)s::text)
group by d.day
order by d.day;
