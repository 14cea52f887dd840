-- The KPI tables this run would publish, days and months together.
select d.*
from candidate.kpi_daily as d
union all
select m.*
from candidate.kpi_monthly as m
