-- Publish: swap every checked candidate analytics table into `marts` in one
-- transaction, so readers see the whole previous set or the whole new one.
-- A reader holding a table for over 30 s fails this step (Airflow retries it)
-- rather than queueing every other reader behind the swap.
set local lock_timeout = '30s';

drop table marts.analytics_status;
alter table candidate.analytics_status set schema marts;

drop table marts.customer_rfm;
alter table candidate.customer_rfm set schema marts;

drop table marts.rfm_segment_summary;
alter table candidate.rfm_segment_summary set schema marts;

drop table marts.churn_rates;
alter table candidate.churn_rates set schema marts;

drop table marts.repeat_purchase_gaps;
alter table candidate.repeat_purchase_gaps set schema marts;

drop table marts.churn_evidence;
alter table candidate.churn_evidence set schema marts;

drop table marts.churn_window_backtest;
alter table candidate.churn_window_backtest set schema marts;

drop table marts.cohort_retention;
alter table candidate.cohort_retention set schema marts;

drop table marts.profit_leakage;
alter table candidate.profit_leakage set schema marts;

drop table marts.leakage_top_categories;
alter table candidate.leakage_top_categories set schema marts;

drop table marts.payment_declines;
alter table candidate.payment_declines set schema marts;

drop table marts.return_timing;
alter table candidate.return_timing set schema marts;

drop table marts.sla_on_time;
alter table candidate.sla_on_time set schema marts;

drop table marts.sla_lateness_drivers;
alter table candidate.sla_lateness_drivers set schema marts;

drop table marts.forecast_backtest;
alter table candidate.forecast_backtest set schema marts;

drop table marts.revenue_forecast;
alter table candidate.revenue_forecast set schema marts;

insert into audit.publications (run_id, outcome, publication)
values (%(run_id)s, 'published', 'analytics')
on conflict (run_id) do update
    set
        outcome = excluded.outcome,
        failed_critical = '{}',
        decided_at = now();

drop table candidate.analytics_build;
