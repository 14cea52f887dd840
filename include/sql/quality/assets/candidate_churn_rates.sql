-- The churn_rates table this analytics run would publish.
select t.*
from candidate.churn_rates as t
