-- Daily net sales of the period under the filter, from the published cube's rollup.
select
    d.day::date as period_start,
    coalesce(sum(c.gross_sales) - sum(c.discounts) - sum(c.returns_amount), 0) as net_sales
from generate_series(%(period_from)s::date, %(period_to)s::date, interval '1 day') as d (day)
left join marts.kpi_cube_rollup as c
    on
        c.channel = coalesce(%(channel)s::text, 'any')
        and c.region = coalesce(%(region)s::text, 'any')
        and c.category = coalesce(%(category)s::text, 'any')
        and d.day = c.period_start
group by d.day
order by d.day;
