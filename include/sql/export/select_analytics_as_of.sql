-- The day the published analytics were computed as of.
select max(s.as_of) as as_of
from marts.analytics_status as s;
