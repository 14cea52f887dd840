-- The order lines whose source rows changed since the last publication (staged by stage_checked_rows.sql).
select c.*
from candidate.checked_order_lines as c
