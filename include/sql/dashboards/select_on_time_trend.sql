-- The weekly on-time share of the period, by delivery day, from the published cube. Deliveries
-- are cut by region only (their rows sit on channel and category 'all').
select
    date_trunc('week', c.period_start)::date as week_start,
    sum(c.deliveries) as deliveries,
    sum(c.deliveries_on_time) as deliveries_on_time,
    round(sum(c.deliveries_on_time)::numeric / nullif(sum(c.deliveries), 0), 4) as on_time_pct
from marts.kpi_cube_daily as c
where
    c.period_start between %(period_from)s::date and %(period_to)s::date
    and c.channel = 'all'
    and c.category = 'all'
    and (%(region)s::text is null or c.region = %(region)s::text)
group by 1
having sum(c.deliveries) > 0
order by 1;
