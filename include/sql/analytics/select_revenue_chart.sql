-- Net sales of the last %(history_days)s published days and the chosen model's forecast, for the chart.
select
    k.period_start,
    'actual' as series,
    k.net_sales,
    null::float8 as lower_80,
    null::float8 as upper_80,
    null::float8 as lower_95,
    null::float8 as upper_95
from marts.kpi_daily as k
where
    k.dimension_name = 'all'
    and k.period_start > (select max(s.as_of) from marts.analytics_status as s) - %(history_days)s
    and k.period_start <= (select max(s.as_of) from marts.analytics_status as s)
union all
select
    f.period_start,
    'forecast (' || f.model || ')' as series,
    f.forecast::float8 as net_sales,
    f.lower_80::float8,
    f.upper_80::float8,
    f.lower_95::float8,
    f.upper_95::float8
from marts.revenue_forecast as f
where f.is_chosen
order by 1, 2;
