-- The cohort_retention table this analytics run would publish.
select t.*
from candidate.cohort_retention as t
