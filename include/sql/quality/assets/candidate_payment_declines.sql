-- The payment_declines table this analytics run would publish.
select t.*
from candidate.payment_declines as t
