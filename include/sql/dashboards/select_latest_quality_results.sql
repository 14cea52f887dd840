-- The checks of the latest gate run of each publication, failures first.
with latest as (
    select distinct on (l.publication)
        l.publication,
        l.run_id,
        l.outcome,
        l.decided_at
    from marts.publication_log as l
    order by l.publication asc, l.decided_at desc
)

select
    l.publication,
    l.run_id,
    l.outcome,
    q.check_name,
    q.severity,
    q.description,
    q.success,
    q.errored,
    q.unexpected_count,
    q.data_docs,
    q.checked_at
from latest as l
inner join marts.quality_results as q on l.run_id = q.run_id
order by l.publication, q.success, q.severity, q.check_name;
