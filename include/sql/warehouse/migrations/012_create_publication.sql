-- Write, audit, publish. Each run builds the KPI tables aside in `candidate`,
-- the quality gate checks them (and the facts behind them), and only a passing
-- gate moves them into `marts`, in one transaction. Readers of `marts` never see
-- a table that has not passed.
create schema if not exists candidate;

-- The published KPI tables, empty until the first publication, so BI tools can
-- connect to them from day one.
create table if not exists marts.kpi_daily as
select * from marts.kpi_values
with no data;

create table if not exists marts.kpi_monthly as
select * from marts.kpi_values
with no data;

-- What each KPI column means, filled from the catalog on every publication.
create table if not exists marts.kpi_catalog (
    kpi_name text primary key,
    label text not null,
    unit text not null,
    formula text not null,
    attributed_to text not null,
    dimensions text not null
);

-- What the gate checks in the current run: the facts changed since checked_from,
-- and the source's totals for the closed days reconciled_from..reconciled_through.
-- One row, rewritten by each run (runs of the DAG never overlap).
create table if not exists audit.quality_scope (
    is_current boolean primary key default true check (is_current),
    run_id text not null,
    checked_from timestamptz not null,
    reconciled_from date not null,
    reconciled_through date not null,
    source_cutoff timestamptz not null,
    defined_at timestamptz not null default now()
);

-- The source's own totals per order day, read by the reconciliation check.
create table if not exists audit.source_daily_totals (
    run_id text not null,
    order_date date not null,
    order_lines bigint not null,
    gross_amount numeric(16, 2) not null,
    discount_amount numeric(16, 2) not null,
    primary key (run_id, order_date)
);

-- One row per check and run: the outcome, how many rows broke it, and a sample.
create table if not exists audit.quality_results (
    run_id text not null,
    check_name text not null,
    suite text not null,
    severity text not null check (severity in ('critical', 'warning')),
    description text not null,
    success boolean not null,
    unexpected_count bigint,
    sample jsonb not null default '[]',
    error text,
    data_docs text,
    checked_at timestamptz not null default now(),
    primary key (run_id, check_name)
);

-- One row per run that reached the gate: published or blocked, and why.
create table if not exists audit.publications (
    run_id text primary key,
    outcome text not null check (outcome in ('published', 'blocked')),
    failed_critical text[] not null default '{}',
    failed_warning text[] not null default '{}',
    kpi_daily_rows integer,
    kpi_monthly_rows integer,
    decided_at timestamptz not null default now()
);

-- Monthly KPI totals as published before and after each run.
create table if not exists audit.kpi_snapshots (
    run_id text not null,
    phase text not null check (phase in ('before', 'after')),
    period_start date not null,
    kpi_name text not null,
    kpi_value numeric,
    taken_at timestamptz not null default now(),
    primary key (run_id, phase, period_start, kpi_name)
);

-- Which KPIs a run moved, and by how much.
create or replace view audit.kpi_snapshot_diff as
select
    coalesce(a.run_id, b.run_id) as run_id,
    coalesce(a.period_start, b.period_start) as period_start,
    coalesce(a.kpi_name, b.kpi_name) as kpi_name,
    b.kpi_value as value_before,
    a.kpi_value as value_after,
    a.kpi_value - b.kpi_value as change,
    round((a.kpi_value - b.kpi_value) / nullif(abs(b.kpi_value), 0), 6) as relative_change
from (
    select * from audit.kpi_snapshots
    where phase = 'after'
) as a
full outer join (
    select * from audit.kpi_snapshots
    where phase = 'before'
) as b
    on a.run_id = b.run_id and a.period_start = b.period_start and a.kpi_name = b.kpi_name
where a.kpi_value is distinct from b.kpi_value;
