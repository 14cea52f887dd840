-- Rows per source table of the latest runs.
with recent as (
    select r.run_id
    from marts.load_runs as r
    group by r.run_id
    order by max(r.loaded_at) desc
    limit %(runs)s
)

select
    r.run_id,
    max(r.loaded_at) over (partition by r.run_id) as loaded_at,
    r.table_name,
    r.extracted_rows,
    r.inserted_rows,
    r.updated_rows,
    r.ignored_stale_rows,
    r.rejected_rows
from marts.load_runs as r
inner join recent as t on r.run_id = t.run_id
order by loaded_at desc, r.table_name asc;
