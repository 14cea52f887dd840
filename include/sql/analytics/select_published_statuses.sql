select
    s.analysis,
    s.status,
    s.reason,
    s.row_count
from marts.analytics_status as s
order by s.analysis;
