-- The closed days reconciled in this run: source and warehouse totals side by side.
select r.*
from candidate.reconciled_days as r
