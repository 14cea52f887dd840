insert into audit.publications (run_id, outcome, failed_critical, failed_warning, publication)
values (%(run_id)s, %(outcome)s, %(failed_critical)s, %(failed_warning)s, %(publication)s)
on conflict (run_id) do update
    set
        outcome = excluded.outcome,
        failed_critical = excluded.failed_critical,
        failed_warning = excluded.failed_warning,
        decided_at = now();
