-- The return_timing table this analytics run would publish.
select t.*
from candidate.return_timing as t
