insert into candidate.analytics_status (analysis, status, reason, row_count, as_of, run_id)
values (%(analysis)s, %(status)s, %(reason)s, %(row_count)s, %(as_of)s, %(run_id)s)
on conflict (analysis) do update
    set
        status = excluded.status,
        reason = excluded.reason,
        row_count = excluded.row_count,
        as_of = excluded.as_of,
        run_id = excluded.run_id,
        computed_at = now();
