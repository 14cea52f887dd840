"""
### Analytics: retention, profit leakage, delivery SLA drivers and the revenue forecast

Runs after every publication of the star schema (the `globalcart_star_schema`
asset), or by hand with an as-of date, and publishes aggregate tables to `marts`
through the same write-audit-publish path as the KPIs:

1. `apply_migrations`: bring the warehouse schemas up to date (idempotent).
2. `prepare_analytics`: fix the run's as-of date (default: the last closed day,
   the day before the newest order) and forecast horizon. The analytics read
   only facts a KPI publication passed: this and the builders wait while
   another run is writing the warehouse, and skip (with the reason in the
   log) when the last KPI publication was blocked.
3. Four builders, side by side, each writing its candidate tables (schema
   `candidate`) and a status row (ok, simplified or skipped, and why):
   - `build_retention`: RFM scores and segments, 90-day churn by cohort,
     channel and segment with its evidence (the repeat-purchase gaps), and
     monthly acquisition cohorts (customer and revenue retention).
   - `build_profit_leakage`: money lost to discounts, refunds (and those after
     late deliveries), shipping and declined payments, by category, channel,
     carrier and center; categories ranked.
   - `build_sla_drivers`: on-time % by carrier, center, region and carrier x
     center, and a logistic regression of lateness (odds ratios, p-values).
   - `build_forecast`: daily net revenue forecast (SARIMAX) backtested against a
     trend-and-seasonality regression and a seasonal naive forecast (MAE, sMAPE,
     MASE); the best model's forecast with 80% and 95% intervals.
4. `quality_gate.run_analytics_checks` (Great Expectations, results in
   `audit.quality_results`) and `quality_gate.enforce_analytics_gate`.
5. `publish_analytics`: swap the whole set into `marts` in one transaction and
   log a readable summary.

Params: `as_of` (a date, e.g. 2026-11-25; empty = the last closed day) and
`horizon_days` (1 to 730, default 90).

**When it fails**
- Skipped with "the analytics read only published facts": the last KPI
  publication was blocked (the log names the run and its checks; its alert
  has gone out already). Fix what the KPI gate found; the next publication of
  the incremental DAG starts this DAG again.
- `prepare_analytics` or a `build_*` task: each writes only `candidate`
  tables in one transaction, so `marts` is unchanged. Read the task log, fix the
  cause, clear the task. Thin data does not fail a task: an analysis that cannot
  run says so in `marts.analytics_status` (skipped or simplified, with the reason).
- `quality_gate.enforce_analytics_gate`: a critical check on the analytics
  failed; the data-quality alert email names it with sample rows. `marts` keeps
  the previous analytics. Fix the cause and trigger the DAG again.
- `publish_analytics`: a reader held a table for over 30 s (it retries), or a
  builder did not finish (the error names it): nothing was published.
- Every failed task emails the alert recipients (`GLOBALCART_ALERT_EMAILS`).
"""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import Param, chain, dag, task

from globalcart.tasks.common import WAREHOUSE_REFRESHED, default_args, quality_gate


@dag(
    dag_id="globalcart_analytics",
    schedule=[WAREHOUSE_REFRESHED],
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["globalcart", "analytics"],
    doc_md=__doc__,
    default_args=default_args(retries=1),
    params={
        "as_of": Param(
            None,
            type=["null", "string"],
            pattern=r"^\d{4}-\d{2}-\d{2}$",
            description="Analyse the shop as of this day (YYYY-MM-DD); empty: the last closed day.",
        ),
        "horizon_days": Param(90, type="integer", minimum=1, maximum=730, description="Days to forecast."),
    },
)
def globalcart_analytics():
    @task
    def apply_migrations(**context) -> list[str]:
        from globalcart.tasks import analytics

        return analytics.apply_migrations(context)

    @task
    def prepare_analytics(**context) -> str:
        from globalcart.tasks import analytics

        return analytics.prepare_analytics(context)

    @task
    def build_retention(**context) -> list[str]:
        from globalcart.tasks import analytics

        return analytics.build_retention(context)

    @task
    def build_profit_leakage(**context) -> list[str]:
        from globalcart.tasks import analytics

        return analytics.build_profit_leakage(context)

    @task
    def build_sla_drivers(**context) -> list[str]:
        from globalcart.tasks import analytics

        return analytics.build_sla_drivers(context)

    @task
    def build_forecast(**context) -> list[str]:
        from globalcart.tasks import analytics

        return analytics.build_forecast(context)

    @task
    def run_analytics_checks(**context) -> dict[str, int]:
        from globalcart.tasks import analytics

        return analytics.run_analytics_checks(context)

    @task
    def enforce_analytics_gate(**context) -> str:
        from globalcart.tasks import analytics

        return analytics.enforce_analytics_gate(context)

    @task
    def publish_analytics(**context) -> list[str]:
        from globalcart.tasks import analytics

        return analytics.publish_analytics(context)

    builders = [build_retention(), build_profit_leakage(), build_sla_drivers(), build_forecast()]
    chain(
        apply_migrations(),
        prepare_analytics(),
        builders,
        quality_gate(run_analytics_checks, enforce_analytics_gate),
        publish_analytics(),
    )


globalcart_analytics()
