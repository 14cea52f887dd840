-- What the reconciliation of the mirror against the source found: one row per key that differs,
-- with its kind, until the incremental run that re-extracted it heals it.
create table if not exists audit.reconcile_runs (
    reconcile_id text primary key,
    started_at timestamptz not null default now(),
    finished_at timestamptz,
    tables_checked integer not null default 0,
    buckets_compared integer not null default 0,
    buckets_differing integer not null default 0,
    keys_differing integer not null default 0
);

create table if not exists audit.mirror_drift (
    reconcile_id text not null references audit.reconcile_runs (reconcile_id),
    table_name text not null,
    source_key text not null,  -- the key's columns as text, joined by ', ' (as in audit.rejected_rows)
    kind text not null check (kind in ('missing_in_mirror', 'deleted_in_source', 'differs')),
    found_at timestamptz not null default now(),
    healed_at timestamptz,
    healed_run_id text,
    primary key (reconcile_id, table_name, source_key)
);

create index if not exists mirror_drift_pending on audit.mirror_drift (table_name, source_key)
where healed_at is null;

-- The keys the current run re-extracts to repair them, and whether the source still holds each.
-- Emptied at the start of every extraction, like the other staging tables.
create table if not exists staging.repair_keys (
    table_name text not null,
    source_key text not null,
    found_in_source boolean not null,
    primary key (table_name, source_key)
);
