-- Take the lease when nobody holds it, keep it when this run holds it already, or take it over from
-- a holder found gone (%(stale_holder)s); returns the holder after the attempt.
insert into audit.run_lease as l (lease_name, holder_run_id, holder_dag_id, holder_backend_pid)
values (%(lease_name)s, %(run_id)s, %(dag_id)s, %(backend_pid)s)
on conflict (lease_name) do update
    set
        holder_run_id = excluded.holder_run_id,
        holder_dag_id = excluded.holder_dag_id,
        holder_backend_pid = excluded.holder_backend_pid,
        acquired_at = now()
    where l.holder_run_id in (%(run_id)s, %(stale_holder)s);
