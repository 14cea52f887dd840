-- Start a run of the analytics: fresh candidate tables for its status rows and
-- the run's parameters. The as-of date defaults to the last closed day: the day
-- before the newest order in the warehouse.
drop table if exists candidate.analytics_build;
drop table if exists candidate.analytics_status;

create table candidate.analytics_build as
select
    %(run_id)s::text as run_id,
    coalesce(
        %(as_of)s::date,
        (
            select to_date(max(f.order_date_key)::text, 'YYYYMMDD') - 1
            from dw.fct_order_line as f
        )
    ) as as_of,
    %(horizon_days)s::integer as horizon_days,
    now() as prepared_at;

create table candidate.analytics_status (like marts.analytics_status including all);
