-- One reconciliation of the mirror against the source, with what it compared and found.
insert into audit.reconcile_runs (
    reconcile_id, finished_at, tables_checked, buckets_compared, buckets_differing, keys_differing
)
values (
    %(reconcile_id)s, now(), %(tables_checked)s, %(buckets_compared)s, %(buckets_differing)s, %(keys_differing)s
)
on conflict (reconcile_id) do update
    set
        finished_at = excluded.finished_at,
        tables_checked = excluded.tables_checked,
        buckets_compared = excluded.buckets_compared,
        buckets_differing = excluded.buckets_differing,
        keys_differing = excluded.keys_differing
