-- How far each source table has been loaded: the highest updated_at below
-- which every committed source row is known to be in the mirror.
create table if not exists audit.watermarks (
    table_name text primary key,
    high_watermark timestamptz not null,
    run_id text not null,
    advanced_at timestamptz not null default now()
);

-- One row per source table and run: what the merge did with the extracted rows.
create table if not exists audit.load_runs (
    run_id text not null,
    table_name text not null,
    extracted_rows integer not null,
    inserted_rows integer not null,
    updated_rows integer not null,
    ignored_stale_rows integer not null,
    rejected_rows integer not null,
    watermark_from timestamptz,
    watermark_to timestamptz,
    loaded_at timestamptz not null default now(),
    primary key (run_id, table_name)
);

-- Every status change the pipeline observed, with when the source recorded it.
create table if not exists audit.status_transitions (
    transition_id bigint generated always as identity primary key,
    table_name text not null,
    entity_id bigint not null,
    from_status text,
    to_status text not null,
    source_updated_at timestamptz not null,
    run_id text not null,
    observed_at timestamptz not null default now()
);

create index if not exists status_transitions_entity_idx on audit.status_transitions (table_name, entity_id);

-- Source rows that break the warehouse contract, kept whole with the reason.
create table if not exists audit.rejected_rows (
    rejected_row_id bigint generated always as identity primary key,
    run_id text not null,
    table_name text not null,
    source_key text,
    reason text not null,
    row_data jsonb not null,
    rejected_at timestamptz not null default now()
);

-- A retried merge does not keep the same rejection twice.
create unique index if not exists rejected_rows_once_per_run_idx
on audit.rejected_rows (run_id, table_name, source_key, reason);
