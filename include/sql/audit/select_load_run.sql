select
    table_name,
    extracted_rows,
    inserted_rows,
    updated_rows,
    ignored_stale_rows,
    rejected_rows
from audit.load_runs
where run_id = %(run_id)s
order by table_name;
