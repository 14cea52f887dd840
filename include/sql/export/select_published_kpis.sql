-- The published KPI pack, days and months, for the whole shop and by dimension.
select k.*
from marts.kpi_daily as k
union all
select k.*
from marts.kpi_monthly as k
order by grain, dimension_name, dimension_value, period_start;
