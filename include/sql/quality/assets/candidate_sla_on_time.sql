-- The sla_on_time table this analytics run would publish.
select t.*
from candidate.sla_on_time as t
