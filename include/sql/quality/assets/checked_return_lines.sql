-- The return lines whose source rows changed since the last publication (staged by stage_checked_rows.sql).
select c.*
from candidate.checked_return_lines as c
