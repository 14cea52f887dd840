-- The daily KPIs of the whole shop this run would publish.
select d.*
from candidate.kpi_daily as d
where d.dimension_name = 'all'
