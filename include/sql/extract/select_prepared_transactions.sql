-- Read right after select_open_transactions.sql, before the extraction snapshot is taken.
-- A prepared transaction (two-phase commit) has left its backend, so pg_stat_activity no
-- longer shows it, yet it may still commit, making visible rows stamped when it started:
-- before it was prepared, and before rows committed since. Its start time is not kept,
-- so while one is pending the watermarks stay where they are. Read after the running
-- backends: a transaction that prepares in between is seen here, one that commits in
-- between is in the snapshot. pg_prepared_xacts needs no privilege.
select
    count(*) as prepared_count,
    min(p.prepared) as oldest_prepared_at,
    (array_agg(p.gid order by p.prepared))[1] as oldest_gid
from pg_prepared_xacts as p
where p.database = current_database();
