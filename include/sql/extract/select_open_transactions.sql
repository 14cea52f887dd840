-- Read before the extraction snapshot is taken. A row that is not visible to the
-- snapshot belongs to a transaction that was open at this moment (its updated_at is
-- at least that transaction's start) or that starts later (at least checked_at), so
-- the watermark may not pass the earlier of the two. Seeing other users' sessions
-- takes the pg_read_all_stats role.
select
    clock_timestamp() as checked_at,
    (
        select min(a.xact_start)
        from pg_stat_activity as a
        where
            a.datname = current_database()
            and a.pid <> pg_backend_pid()
            and a.backend_type = 'client backend'
            and a.xact_start is not null
    ) as oldest_open_transaction_started_at;
