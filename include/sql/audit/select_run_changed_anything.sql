-- Did this run change the mirror (and so, through the builds, anything downstream reads)?
select coalesce(sum(l.inserted_rows + l.updated_rows), 0) > 0 as changed_anything
from audit.load_runs as l
where l.run_id = %(run_id)s;
