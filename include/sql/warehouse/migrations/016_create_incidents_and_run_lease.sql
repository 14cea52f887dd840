-- What on-call has been told, and which run may write the warehouse.

-- One row per fault on-call was alerted about: opened with its alert, closed when it is over
-- (with a "recovered" email). While a fault stays open with the same detail, runs that meet it
-- again do not alert again.
create table if not exists audit.incidents (
    incident_id bigint generated always as identity primary key,
    incident_key text not null,  -- what is wrong, e.g. quality_gate:kpis, freshness:kpis
    detail jsonb not null default '{}',  -- what the alert said, e.g. the failed checks
    opened_at timestamptz not null default now(),
    opened_by_run text,
    alerted_at timestamptz,
    closed_at timestamptz,
    closed_by_run text
);

create unique index if not exists incidents_one_open_per_key
on audit.incidents (incident_key) where closed_at is null;

-- The run that may write the warehouse now. A run takes the lease before its first write and
-- gives it back after its last, so runs never overlap, whatever started them (the schedule, a
-- source change, a backfill, a person); a holder that is gone (its Airflow run ended, its
-- process died) loses the lease to the next run that asks.
create table if not exists audit.run_lease (
    lease_name text primary key,
    holder_run_id text not null,
    holder_dag_id text,  -- null: a run in a process of its own, alive while its session is
    holder_backend_pid integer,
    acquired_at timestamptz not null default now()
);
