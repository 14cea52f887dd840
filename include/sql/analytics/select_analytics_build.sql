-- The parameters of the run being built; run only when candidate.analytics_build exists.
select
    b.run_id,
    b.as_of,
    b.horizon_days
from candidate.analytics_build as b;
