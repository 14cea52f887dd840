-- The profit_leakage table this analytics run would publish.
select t.*
from candidate.profit_leakage as t
