-- The drifted keys no incremental run has re-extracted yet, per table and kind.
select
    table_name,
    kind,
    count(distinct source_key) as keys,
    min(found_at) as first_found_at
from audit.mirror_drift
where healed_at is null
group by table_name, kind
order by table_name, kind
