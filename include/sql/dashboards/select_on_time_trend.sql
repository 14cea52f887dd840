-- The weekly on-time share of the period, by delivery day, from the published cube's rollup.
-- Deliveries are cut by region only: every channel and category count.
select
    date_trunc('week', c.period_start)::date as week_start,
    sum(c.deliveries) as deliveries,
    sum(c.deliveries_on_time) as deliveries_on_time,
    round(sum(c.deliveries_on_time)::numeric / nullif(sum(c.deliveries), 0), 4) as on_time_pct
from marts.kpi_cube_rollup as c
where
    c.channel = 'any'
    and c.category = 'any'
    and c.region = coalesce(%(region)s::text, 'any')
    and c.period_start between %(period_from)s::date and %(period_to)s::date
group by 1
having sum(c.deliveries) > 0
order by 1;
