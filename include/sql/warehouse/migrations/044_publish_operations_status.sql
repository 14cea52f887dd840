-- What the dashboards and BI tools need to judge the data's freshness, readable by
-- the BI role in marts: every gate decision, each source table's watermark, the rows
-- each run loaded, and the gate's check results with their Data Docs. Triggers on the
-- audit tables keep these copies in the writer's own transaction
-- (include/sql/warehouse/definitions/80_audit.publish_operations_status.sql); check
-- samples (source rows) and error texts stay in audit.
create table if not exists marts.publication_log (
    run_id text primary key,
    publication text not null,
    outcome text not null,
    failed_critical text[] not null,
    failed_warning text[] not null,
    kpi_daily_rows integer,
    kpi_monthly_rows integer,
    decided_at timestamptz not null
);

create index if not exists publication_log_decided_idx on marts.publication_log (publication, decided_at);

create table if not exists marts.source_watermarks (
    table_name text primary key,
    high_watermark timestamptz not null,
    run_id text not null,
    advanced_at timestamptz not null
);

create table if not exists marts.load_runs (
    run_id text not null,
    table_name text not null,
    extracted_rows integer not null,
    inserted_rows integer not null,
    updated_rows integer not null,
    ignored_stale_rows integer not null,
    rejected_rows integer not null,
    loaded_at timestamptz not null,
    primary key (run_id, table_name)
);

create index if not exists load_runs_loaded_idx on marts.load_runs (loaded_at);

create table if not exists marts.quality_results (
    run_id text not null,
    check_name text not null,
    suite text not null,
    severity text not null,
    description text not null,
    success boolean not null,
    unexpected_count bigint,
    errored boolean not null,
    data_docs text,
    checked_at timestamptz not null,
    primary key (run_id, check_name)
);

create index if not exists quality_results_checked_idx on marts.quality_results (checked_at);

insert into marts.publication_log
select
    p.run_id,
    p.publication,
    p.outcome,
    p.failed_critical,
    p.failed_warning,
    p.kpi_daily_rows,
    p.kpi_monthly_rows,
    p.decided_at
from audit.publications as p
on conflict do nothing;

insert into marts.source_watermarks
select
    w.table_name,
    w.high_watermark,
    w.run_id,
    w.advanced_at
from audit.watermarks as w
on conflict do nothing;

insert into marts.load_runs
select
    r.run_id,
    r.table_name,
    r.extracted_rows,
    r.inserted_rows,
    r.updated_rows,
    r.ignored_stale_rows,
    r.rejected_rows,
    r.loaded_at
from audit.load_runs as r
on conflict do nothing;

insert into marts.quality_results
select
    q.run_id,
    q.check_name,
    q.suite,
    q.severity,
    q.description,
    q.success,
    q.unexpected_count,
    q.error is not null,
    q.data_docs,
    q.checked_at
from audit.quality_results as q
on conflict do nothing;

-- Two operational aggregates of the analytics run, published with it: payment
-- declines by method and provider, and returns by reason and days after delivery,
-- per day and the dimensions the dashboards filter on, rolled up for every
-- combination of them ('any' = every member) so a filter reads its own rows only.
create table if not exists marts.payment_declines (
    channel text not null,  -- or 'any': every channel
    region text not null,  -- or 'any': every region
    attempt_date date not null,
    payment_method text not null,
    provider text not null,
    payment_attempts integer not null,
    declined_attempts integer not null,
    declined_amount numeric(16, 2) not null,
    primary key (channel, region, attempt_date, payment_method, provider)
);

create table if not exists marts.return_timing (
    channel text not null,  -- or 'any': every channel
    region text not null,  -- or 'any': every region
    category text not null,  -- or 'any': every category
    requested_date date not null,
    reason text not null,
    days_after_delivery text not null,  -- a bucket: 0-7 days, 8-14 days, 15-30 days, over 30 days, not delivered
    bucket_order smallint not null,
    returned_lines integer not null,
    returned_units integer not null,
    refund_amount numeric(16, 2) not null,
    primary key (channel, region, category, requested_date, reason, days_after_delivery)
);
