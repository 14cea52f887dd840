-- Daily net sales of the whole shop up to the as-of date, from the published KPI
-- table, so the forecast starts from the same numbers every report shows.
select
    k.period_start,
    k.net_sales
from marts.kpi_daily as k
where
    k.dimension_name = 'all'
    and k.period_start <= %(as_of)s::date
order by k.period_start;
