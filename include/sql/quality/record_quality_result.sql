insert into audit.quality_results (
    run_id, check_name, suite, severity, description, success, unexpected_count, sample, error, data_docs
)
values (
    %(run_id)s, %(check_name)s, %(suite)s, %(severity)s, %(description)s, %(success)s, %(unexpected_count)s,
    %(sample)s, %(error)s, %(data_docs)s
)
on conflict (run_id, check_name) do update
    set
        suite = excluded.suite,
        severity = excluded.severity,
        description = excluded.description,
        success = excluded.success,
        unexpected_count = excluded.unexpected_count,
        sample = excluded.sample,
        error = excluded.error,
        data_docs = excluded.data_docs,
        checked_at = now();
