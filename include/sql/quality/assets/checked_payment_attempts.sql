-- The payment attempts whose source rows changed since the last publication (staged by stage_checked_rows.sql).
select c.*
from candidate.checked_payment_attempts as c
