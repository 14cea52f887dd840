-- The KPI tables this run would publish, for the whole shop (not cut by a dimension).
select d.*
from candidate.kpi_daily as d
where d.dimension_name = 'all'
union all
select m.*
from candidate.kpi_monthly as m
where m.dimension_name = 'all'
