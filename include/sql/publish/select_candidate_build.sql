-- Run this only when candidate.build_info exists (select_candidate_exists.sql).
select
    b.run_id,
    b.marked_through
from candidate.build_info as b;
