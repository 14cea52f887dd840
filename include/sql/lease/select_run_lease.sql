select
    l.holder_run_id,
    l.holder_dag_id,
    l.holder_backend_pid,
    l.acquired_at,
    -- An in-process holder is alive while its session is.
    exists(
        select from pg_stat_activity as a
        where a.pid = l.holder_backend_pid
    ) as holder_session_alive
from audit.run_lease as l
where l.lease_name = %(lease_name)s;
