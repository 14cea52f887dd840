-- The reconciliation compares only source rows the warehouse has seen as they are, whatever
-- their timestamps: each extraction records, per source table, a time before which every
-- source row is in the warehouse (the snapshot saw it, or an earlier run did).
create table if not exists audit.extraction_coverage (
    run_id text not null,
    table_name text not null,
    complete_before timestamptz,  -- null: no such time (a window re-read past the watermark)
    full_load boolean not null,  -- read from the beginning into an empty mirror: a first load or a full refresh
    recorded_at timestamptz not null default now(),
    primary key (run_id, table_name)
);

-- The source's totals per order day and customer region, with what the KPIs depend on: the
-- cancelled lines, and the amounts and refunds of the lines kept. Rows from before this
-- migration hold the day's totals under region 'all'.
alter table audit.source_daily_totals
add column if not exists region text not null default 'all',
add column if not exists cancelled_lines bigint,
add column if not exists kept_gross_amount numeric,
add column if not exists kept_discount_amount numeric,
add column if not exists refund_amount numeric,
alter column gross_amount type numeric,
alter column discount_amount type numeric;

alter table audit.source_daily_totals alter column region drop default;

alter table audit.source_daily_totals drop constraint if exists source_daily_totals_pkey;

alter table audit.source_daily_totals add primary key (run_id, order_date, region);
