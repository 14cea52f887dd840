-- Read before the extraction snapshot is taken. A row that is not visible to the
-- snapshot belongs to a transaction that was open at this moment (its updated_at is
-- at least that transaction's start) or that starts later (at least checked_at), so
-- the watermark may not pass the earlier of the two. Seeing other users' sessions
-- takes the pg_read_all_stats role: without it their transaction start and backend
-- type are hidden (the query reads '<insufficient privilege>'), and those sessions
-- are counted.
select
    clock_timestamp() as checked_at,
    min(a.xact_start) filter (where a.backend_type = 'client backend') as oldest_open_transaction_started_at,
    count(*) filter (where a.query = '<insufficient privilege>') as hidden_sessions
from pg_stat_activity as a
where
    a.datname = current_database()
    and a.pid <> pg_backend_pid();
