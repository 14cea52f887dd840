insert into audit.extraction_coverage (run_id, table_name, complete_before, full_load)
values (%(run_id)s, %(table_name)s, %(complete_before)s, %(full_load)s)
on conflict (run_id, table_name) do update
    set
        complete_before = excluded.complete_before,
        full_load = excluded.full_load,
        recorded_at = now();
