-- The revenue_forecast table this analytics run would publish.
select t.*
from candidate.revenue_forecast as t
