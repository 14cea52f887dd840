"""Write-audit-publish for the analytics tables.

``prepare`` starts a run (its as-of date and forecast horizon) in schema
``candidate``; the builders each write their candidate tables and a status row
saying what they did (ok, simplified or skipped, and why); the quality gate
checks them; ``publish`` swaps the whole set into ``marts`` in one transaction.
Aggregation happens in PostgreSQL; only the lateness counts and the daily
revenue series come into Python, for statsmodels.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import psycopg
from psycopg.types.json import Jsonb

from globalcart import db, publications, run_lease
from globalcart.errors import FactsNotPublished, GlobalCartError
from globalcart.marts.catalog import table_comments
from globalcart.settings import DATA_DOCS_DIR, Database

if TYPE_CHECKING:
    from globalcart.quality.gate import CheckResult

CHURN_WINDOW_DAYS = 90
MIN_DELIVERIES_TO_RANK = 30
DEFAULT_HORIZON_DAYS = 90
# Every analysis writes one status row; publication needs all of them.
ANALYSES = (
    "rfm",
    "churn",
    "cohorts",
    "profit_leakage",
    "payment_declines",
    "return_timing",
    "sla_on_time",
    "lateness_drivers",
    "revenue_forecast",
)
NO_ORDERS = "the warehouse has no orders"
# How long an analysis waits for a run that is writing the warehouse to publish what it wrote.
WAIT_FOR_PUBLICATION_SECONDS = 600

Progress = Callable[[str], None]
T = TypeVar("T")


@dataclass(frozen=True)
class AnalyticsBuild:
    run_id: str
    as_of: date | None  # None: the warehouse has no orders to date it by
    horizon_days: int

    def describe(self) -> str:
        as_of = self.as_of.isoformat() if self.as_of else f"none ({NO_ORDERS})"
        return f"analytics run {self.run_id}: as of {as_of}, forecast horizon {self.horizon_days} days"


@dataclass(frozen=True)
class AnalysisStatus:
    analysis: str
    status: str  # ok, simplified or skipped
    reason: str
    row_count: int

    def line(self) -> str:
        return f"{self.analysis:<18}{self.status:<12}{self.row_count:>9,}  {self.reason}"


def _transaction(conn: psycopg.Connection, work: Callable[[], T]) -> T:
    with db.transaction(conn):
        return work()


def on_published_facts(
    conn: psycopg.Connection,
    work: Callable[[], T],
    progress: Progress = lambda _: None,
    wait_seconds: float = WAIT_FOR_PUBLICATION_SECONDS,
) -> T:
    """Run ``work`` in one repeatable-read transaction whose snapshot holds only published facts.

    Every change to a fact marks its days until a KPI publication covers them, so a snapshot
    without marks is one the quality gate passed. A run writing the warehouse now is waited for;
    facts the gate blocked, or that never reached it, are refused with FactsNotPublished.
    """
    deadline = time.monotonic() + wait_seconds
    waiting_for = None
    while True:
        with db.transaction(conn):
            conn.execute("set transaction isolation level repeatable read")
            changes = publications.unpublished_changes(conn)
            if not changes:
                return work()
        writer = run_lease.holder(conn)
        if writer is None:
            raise FactsNotPublished(_refusal(changes))
        if time.monotonic() > deadline:
            raise FactsNotPublished(
                f"the analytics read only published facts, and run {writer.run_id} has been writing the warehouse"
                f" since {writer.acquired_at:%Y-%m-%d %H:%M:%S} UTC: waited {wait_seconds:.0f} s for its publication"
            )
        if writer.run_id != waiting_for:
            progress(f"waiting for run {writer.run_id}, which is writing the warehouse, to publish its facts")
            waiting_for = writer.run_id
        time.sleep(1)


def _refusal(changes: publications.UnpublishedChanges) -> str:
    head = f"the analytics read only published facts, and the facts of {changes.days()} changed after the last KPI"
    decision = changes.last_decision
    if decision is None:
        return f"{head} publication (there is none yet): run the incremental load until its quality gate publishes"
    if changes.blocked:
        failed = ", ".join(decision.failed_critical) or "see audit.quality_results"
        return (
            f"{head} publication: the quality gate blocked run {decision.run_id} ({failed});"
            " fix what it found and run the incremental load again"
        )
    return (
        f"{head} publication (run {decision.run_id}, {decision.decided_at:%Y-%m-%d %H:%M} UTC) without reaching"
        " the quality gate: run the incremental load to check and publish them"
    )


def check_horizon(horizon_days: int) -> None:
    if not 1 <= horizon_days <= 730:
        raise GlobalCartError(f"the forecast horizon must be 1 to 730 days, got {horizon_days}")


def prepare(
    conn: psycopg.Connection,
    run_id: str,
    as_of: date | None,
    horizon_days: int,
    progress: Progress = lambda _: None,
) -> AnalyticsBuild:
    """Start the run's candidate build; ``as_of`` None means the last closed day.

    Refuses (FactsNotPublished) while the facts hold changes no KPI publication has passed.
    """
    check_horizon(horizon_days)
    params = {"run_id": run_id, "as_of": as_of, "horizon_days": horizon_days}
    on_published_facts(
        conn, lambda: db.execute_statements(conn, "analytics/prepare_analytics_build.sql", params), progress
    )
    return current_build(conn, run_id)


def current_build(conn: psycopg.Connection, run_id: str) -> AnalyticsBuild:
    """The run's build; an error when there is none, or another run's."""
    ((exists,),) = db.fetch_all(conn, "analytics/select_analytics_build_exists.sql")
    if not exists:
        conn.rollback()
        raise GlobalCartError(f"run {run_id} has no analytics build in progress: run its prepare step first")
    ((built_by, as_of, horizon_days),) = db.fetch_all(conn, "analytics/select_analytics_build.sql")
    conn.rollback()
    if built_by != run_id:
        raise GlobalCartError(f"the analytics candidates belong to run {built_by}, not {run_id}: prepare again")
    return AnalyticsBuild(run_id, as_of, horizon_days)


def record_statuses(conn: psycopg.Connection, build: AnalyticsBuild, statuses: list[AnalysisStatus]) -> None:
    with conn.cursor() as cur:
        cur.executemany(
            db.sql_text("analytics/record_analysis_status.sql"),
            [
                {
                    "analysis": s.analysis,
                    "status": s.status,
                    "reason": s.reason,
                    "row_count": s.row_count,
                    "as_of": build.as_of,
                    "run_id": build.run_id,
                }
                for s in statuses
            ],
        )


def _params(build: AnalyticsBuild) -> dict:
    return {
        "run_id": build.run_id,
        "as_of": build.as_of,
        "churn_window_days": CHURN_WINDOW_DAYS,
        "min_deliveries": MIN_DELIVERIES_TO_RANK,
    }


def build_retention(conn: psycopg.Connection, run_id: str, progress: Progress = lambda _: None) -> list[AnalysisStatus]:
    """RFM, churn with its evidence, and cohorts, in one transaction.

    They read analytics.order_state, which this transaction first brings up to date with
    the facts it reads: the orders changed since the last run, or all of them the first time.
    """
    build = current_build(conn, run_id)
    # Committed before the snapshot below, so every change from then on is noted for the next run.
    db.run_sql_step(conn, "analytics/register_order_state.sql")

    def work() -> list[AnalysisStatus]:
        refresh_order_state(conn, run_id, progress)
        db.execute_statements(conn, "analytics/build_retention.sql", _params(build))
        (counts,) = db.fetch_all(conn, "analytics/select_retention_counts.sql", {"as_of": build.as_of})
        customers, churned, only_cancelled, history_days, repeats, came_back, suggested, cohort_rows, cohorts = counts
        statuses = _retention_statuses(build, customers, churned, only_cancelled, history_days, repeats)
        statuses[1] = _with_window_evidence(statuses[1], came_back, suggested)
        if statuses[1].status == "skipped":
            db.run_sql_file(conn, "analytics/clear_churn_rates.sql")
        statuses.append(
            AnalysisStatus("cohorts", "ok", f"{cohorts:,} monthly cohorts, {cohort_rows:,} cohort-months", cohort_rows)
            if customers
            else AnalysisStatus("cohorts", "skipped", statuses[0].reason, 0)
        )
        record_statuses(conn, build, statuses)
        return statuses

    statuses = on_published_facts(conn, work, progress)
    for status in statuses:
        progress(status.line())
    return statuses


def refresh_order_state(conn: psycopg.Connection, run_id: str, progress: Progress = lambda _: None) -> None:
    """Bring analytics.order_state up to date in the current transaction (its snapshot's facts)."""
    ((is_built,),) = db.fetch_all(conn, "analytics/select_order_state_is_built.sql")
    ((noted,),) = db.fetch_all(conn, "analytics/select_changed_order_count.sql")
    started = time.perf_counter()
    db.execute_statements(conn, "analytics/refresh_order_state.sql", {"rebuild": not is_built, "run_id": run_id})
    what = "every order" if not is_built else f"{noted:,} changed orders"
    progress(f"order state: refreshed {what} in {time.perf_counter() - started:.2f} s")


def _retention_statuses(
    build: AnalyticsBuild, customers: int, churned: int, only_cancelled: int, history_days: int | None, repeats: int
) -> list[AnalysisStatus]:
    if build.as_of is None:
        return [AnalysisStatus("rfm", "skipped", NO_ORDERS, 0), AnalysisStatus("churn", "skipped", NO_ORDERS, 0)]
    cancelled_note = f"{only_cancelled:,} customers with only cancelled orders left out"
    if not customers:
        reason = f"no customer has a kept (not cancelled) order by {build.as_of}; {cancelled_note}"
        return [AnalysisStatus("rfm", "skipped", reason, 0), AnalysisStatus("churn", "skipped", reason, 0)]
    rfm = AnalysisStatus("rfm", "ok", f"{customers:,} customers scored; {cancelled_note}", customers)
    if history_days < CHURN_WINDOW_DAYS:
        reason = (
            f"the first kept order is {history_days} days before the as-of date, fewer than the "
            f"{CHURN_WINDOW_DAYS}-day churn window: nobody can have churned yet, so no rates are published"
        )
        return [rfm, AnalysisStatus("churn", "skipped", reason, 0)]
    rate = churned / customers
    reason = (
        f"{churned:,} of {customers:,} customers ({rate:.1%}) without a kept order for {CHURN_WINDOW_DAYS} days; "
        f"evidence from {repeats:,} repeat purchases"
    )
    return [rfm, AnalysisStatus("churn", "ok", reason, customers)]


def _with_window_evidence(churn: AnalysisStatus, came_back: Decimal | None, suggested: int | None) -> AnalysisStatus:
    """The churn status with how often the window was wrong before, and the window the gaps suggest."""
    if churn.status != "ok":
        return churn
    notes = []
    if came_back is not None:
        notes.append(
            f"{float(came_back):.1%} of the customers it called churned at earlier as-of dates ordered again later"
        )
    if suggested is not None:
        notes.append(f"90% of repeat purchases came within {suggested} days")
    return (
        churn
        if not notes
        else AnalysisStatus(churn.analysis, churn.status, f"{churn.reason}; {'; '.join(notes)}", churn.row_count)
    )


def build_profit_leakage(
    conn: psycopg.Connection, run_id: str, progress: Progress = lambda _: None
) -> list[AnalysisStatus]:
    build = current_build(conn, run_id)

    def work() -> list[AnalysisStatus]:
        db.execute_statements(conn, "analytics/build_profit_leakage.sql", _params(build))
        ((gross_sales, rows),) = db.fetch_all(conn, "analytics/select_leakage_counts.sql")
        if build.as_of is None or not gross_sales:
            reason = NO_ORDERS if build.as_of is None else f"no kept order lines by {build.as_of}"
            status = AnalysisStatus("profit_leakage", "skipped", reason, rows)
        else:
            status = AnalysisStatus("profit_leakage", "ok", f"gross sales {_money(gross_sales)} analysed", rows)
        statuses = [status, *_build_operations(conn, build)]
        record_statuses(conn, build, statuses)
        return statuses

    statuses = on_published_facts(conn, work, progress)
    for status in statuses:
        progress(status.line())
    return statuses


def _build_operations(conn: psycopg.Connection, build: AnalyticsBuild) -> list[AnalysisStatus]:
    """Declines by payment method and provider, returns by reason and days after delivery: two other leaks."""
    db.execute_statements(conn, "analytics/build_payment_declines.sql", _params(build))
    db.execute_statements(conn, "analytics/build_return_timing.sql", _params(build))
    ((attempts, payment_rows, returned, return_rows),) = db.fetch_all(conn, "analytics/select_operations_counts.sql")
    if build.as_of is None:
        return [
            AnalysisStatus("payment_declines", "skipped", NO_ORDERS, 0),
            AnalysisStatus("return_timing", "skipped", NO_ORDERS, 0),
        ]
    declines = (
        AnalysisStatus("payment_declines", "ok", f"{attempts:,} payment attempts", payment_rows)
        if attempts
        else AnalysisStatus("payment_declines", "skipped", f"no payment attempt by {build.as_of}", 0)
    )
    timing = (
        AnalysisStatus("return_timing", "ok", f"{returned:,} returned lines", return_rows)
        if returned
        else AnalysisStatus("return_timing", "ok", f"no return asked for by {build.as_of}", 0)
    )
    return [declines, timing]


def build_sla_drivers(
    conn: psycopg.Connection, run_id: str, progress: Progress = lambda _: None
) -> list[AnalysisStatus]:
    """On-time % in SQL, then the logistic regression of lateness on the counts PostgreSQL aggregated."""

    from globalcart.analytics.lateness import fit_lateness_model

    build = current_build(conn, run_id)

    def work() -> list[AnalysisStatus]:
        db.execute_statements(conn, "analytics/build_sla_on_time.sql", _params(build))
        db.execute_statements(conn, "analytics/create_lateness_candidate.sql", {"run_id": run_id})
        ((deliveries, rows),) = db.fetch_all(conn, "analytics/select_sla_counts.sql")
        if build.as_of is None or not deliveries:
            reason = NO_ORDERS if build.as_of is None else f"no parcel delivered by {build.as_of}"
            on_time = AnalysisStatus("sla_on_time", "skipped", reason, rows)
            drivers = AnalysisStatus("lateness_drivers", "skipped", reason, 0)
        else:
            on_time = AnalysisStatus("sla_on_time", "ok", f"{deliveries:,} delivered parcels", rows)
            ((state_is_built,),) = db.fetch_all(conn, "analytics/select_order_state_is_built.sql")
            cells = db.fetch_frame(
                conn, "analytics/select_lateness_cells.sql", {"as_of": build.as_of, "state_is_built": state_is_built}
            )
            progress(f"fitting the lateness model on {len(cells):,} cells of {deliveries:,} parcels")
            model = fit_lateness_model(cells)
            with conn.cursor() as cur:
                cur.executemany(db.sql_text("analytics/insert_lateness_driver.sql"), model.terms)
            drivers = AnalysisStatus("lateness_drivers", model.status, model.reason, len(model.terms))
        record_statuses(conn, build, [on_time, drivers])
        return [on_time, drivers]

    statuses = on_published_facts(conn, work, progress)
    for status in statuses:
        progress(status.line())
    return statuses


def build_forecast(conn: psycopg.Connection, run_id: str, progress: Progress = lambda _: None) -> list[AnalysisStatus]:
    """Backtest the models on published daily net sales, forecast with the best, write both."""
    import pandas as pd

    from globalcart.analytics.forecast import forecast_net_revenue

    build = current_build(conn, run_id)
    if build.as_of is None:
        daily = pd.Series(dtype=float)
    else:
        rows = db.fetch_all(conn, "analytics/select_daily_net_revenue.sql", {"as_of": build.as_of})
        conn.rollback()
        # A day inside the series without sales had none; days after the last published sales are
        # not known yet, so the series stops there rather than ending in zeros.
        while rows and rows[-1][1] is None:
            rows.pop()
        daily = pd.Series([float(v or 0) for _, v in rows], index=[d for d, _ in rows], dtype=float)
    through = f" through {daily.index[-1]}" if len(daily) else ""
    progress(f"forecasting net revenue from {len(daily):,} published days{through}, horizon {build.horizon_days} days")
    if build.as_of is None:
        outcome_status, reason, backtest, forecast = "skipped", f"forecast skipped: {NO_ORDERS}", [], []
    else:
        outcome = forecast_net_revenue(daily, as_of=build.as_of, horizon_days=build.horizon_days, progress=progress)
        outcome_status, reason, backtest, forecast = outcome.status, outcome.reason, outcome.backtest, outcome.forecast

    def work() -> list[AnalysisStatus]:
        db.execute_statements(conn, "analytics/create_forecast_candidates.sql", {"run_id": run_id})
        with conn.cursor() as cur:
            cur.executemany(db.sql_text("analytics/insert_forecast_backtest.sql"), backtest)
            cur.executemany(db.sql_text("analytics/insert_revenue_forecast.sql"), forecast)
        status = AnalysisStatus("revenue_forecast", outcome_status, reason, len(forecast))
        record_statuses(conn, build, [status])
        return [status]

    statuses = _transaction(conn, work)
    progress(statuses[0].line())
    return statuses


def publish(conn: psycopg.Connection, run_id: str) -> bool:
    """Swap the candidate analytics tables into marts; False when this run had published them already."""
    ((exists,),) = db.fetch_all(conn, "analytics/select_analytics_build_exists.sql")
    conn.rollback()
    if not exists and publications.outcome(conn, run_id) == "published":
        conn.rollback()
        return False
    build = current_build(conn, run_id)
    missing = sorted(set(ANALYSES) - {s.analysis for s in candidate_statuses(conn)})
    if missing:
        raise GlobalCartError(f"run {build.run_id} has not built {', '.join(missing)}: nothing was published")
    with db.transaction(conn):
        db.execute_statements(conn, "analytics/publish_analytics_tables.sql", {"run_id": run_id})
        # The swapped-in tables were built in candidate, without the catalog's comments.
        db.fetch_all(conn, "publish/comment_published_tables.sql", {"definitions": Jsonb(table_comments())})
    return True


def candidate_statuses(conn: psycopg.Connection) -> list[AnalysisStatus]:
    rows = db.fetch_all(conn, "analytics/select_candidate_statuses.sql")
    conn.rollback()
    return [AnalysisStatus(*row) for row in rows]


def _money(value: Decimal | float) -> str:
    return f"{float(value):,.0f}"


def run_analytics_checks(
    warehouse: Database,
    run_id: str,
    *,
    data_docs_dir: Path = DATA_DOCS_DIR,
    progress: Progress = lambda _: None,
) -> list[CheckResult]:
    """The quality gate's analytics suite on this run's candidate tables, recorded in audit.quality_results."""
    from globalcart.quality.checks import ANALYTICS_CHECKS
    from globalcart.quality.gate import record_results, validate, with_row_samples

    with db.connect(warehouse) as conn:
        current_build(conn, run_id)
        results = validate(
            warehouse,
            run_id,
            checks=ANALYTICS_CHECKS,
            data_docs_dir=data_docs_dir,
            publication="analytics",
            progress=progress,
        )
        results = with_row_samples(conn, results, ANALYTICS_CHECKS)
        record_results(conn, run_id, results)
    return results
