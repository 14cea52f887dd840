-- The customer_rfm table this analytics run would publish.
select t.*
from candidate.customer_rfm as t
