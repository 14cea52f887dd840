-- Publish: swap the checked candidate tables (the KPI tables, the daily cube and its
-- rollup) in. Readers see the old tables or the new ones, never a mix, and the
-- dirty days the candidates covered are done.

-- The swap waits for readers of the old tables to finish; a reader that holds on
-- for longer fails this step (and Airflow retries it) rather than queueing every
-- other reader behind the waiting swap.
set local lock_timeout = '30s';
drop table marts.kpi_daily;
alter table candidate.kpi_daily set schema marts;

drop table marts.kpi_monthly;
alter table candidate.kpi_monthly set schema marts;

drop table marts.kpi_cube_daily;
alter table candidate.kpi_cube_daily set schema marts;

drop table marts.kpi_cube_rollup;
alter table candidate.kpi_cube_rollup set schema marts;

delete from kpi.kpi_dirty_days
where marked_id in (select b.marked_id from candidate.build_marks as b);

insert into audit.publications (run_id, outcome, kpi_daily_rows, kpi_monthly_rows)
values (
    %(run_id)s,
    'published',
    (select count(*) from marts.kpi_daily),
    (select count(*) from marts.kpi_monthly)
)
on conflict (run_id) do update
    set
        outcome = excluded.outcome,
        failed_critical = '{}',
        kpi_daily_rows = excluded.kpi_daily_rows,
        kpi_monthly_rows = excluded.kpi_monthly_rows,
        decided_at = now();

drop table candidate.build_info;
drop table candidate.build_marks;
