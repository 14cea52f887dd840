-- The shipments whose source rows changed since the last publication (staged by stage_checked_rows.sql).
select c.*
from candidate.checked_shipments as c
