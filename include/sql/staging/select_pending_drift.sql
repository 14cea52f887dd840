-- The keys a reconciliation found differing from the source and no run has re-extracted yet.
select distinct
    table_name,
    source_key
from audit.mirror_drift
where healed_at is null
order by table_name, source_key
