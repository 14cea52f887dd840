"""The incremental load, step by step: the one description the DAG and the runner share.

``globalcart_incremental`` turns each step into a task; ``run_incremental``
runs the same steps in-process (for the CLI, the demo, the tests and the
benchmark). Either way every SQL step runs in one transaction, so a step that
fails leaves the warehouse as it was before the step.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import psycopg

from globalcart import db
from globalcart.settings import SOURCE, WAREHOUSE, Database
from globalcart.warehouse.extract import extract_changed_rows
from globalcart.warehouse.migrations import apply_migrations
from globalcart.warehouse.steps import DIMENSION_STEPS, FACT_STEPS, MERGE_STEPS, RESET_STEP, step_name, step_parameters


@dataclass
class RunSummary:
    run_id: str
    rows: list[tuple] = field(default_factory=list)  # per table: extracted, inserted, updated, stale, rejected
    seconds: dict[str, float] = field(default_factory=dict)
    checks: list = field(default_factory=list)  # quality.gate.CheckResult, one per check
    published: bool | None = None  # None: the run did not reach the quality gate

    def totals(self) -> dict[str, int]:
        keys = ("extracted", "inserted", "updated", "ignored_stale", "rejected")
        return {key: sum(row[i + 1] for row in self.rows) for i, key in enumerate(keys)}

    def table(self) -> list[str]:
        header = f"{'table':<22}{'extracted':>11}{'inserted':>10}{'updated':>9}{'stale':>7}{'rejected':>10}"
        lines = [header]
        for table, extracted, inserted, updated, stale, rejected in self.rows:
            if extracted or inserted or updated or rejected:
                lines.append(f"{table:<22}{extracted:>11,}{inserted:>10,}{updated:>9,}{stale:>7,}{rejected:>10,}")
        return lines


def new_run_id() -> str:
    return f"cli__{datetime.now().strftime('%Y%m%dT%H%M%S')}_{uuid.uuid4().hex[:6]}"


def run_incremental(
    run_id: str | None = None,
    *,
    source: Database = SOURCE,
    warehouse: Database = WAREHOUSE,
    full_refresh: bool = False,
    since: datetime | None = None,
    until: datetime | None = None,
    advance_watermarks: bool = True,
    stop_after: str | None = None,
    publish: bool = True,
    send_alert: Callable[[str, str], None] | None = None,
    progress: Callable[[str], None] = lambda _: None,
) -> RunSummary:
    """Migrate, extract, merge, build, check and publish: one run, in the order of the DAG's tasks.

    ``stop_after`` ends the run after the named step (for tests of a run that dies half-way).
    ``publish=False`` stops after the facts. A blocked quality gate does not raise here:
    ``summary.published`` is False and the alert went through ``send_alert``
    (default: the Airflow SMTP connection).
    """
    summary = RunSummary(run_id or new_run_id())
    params = step_parameters(summary.run_id)
    for sql_file in (*MERGE_STEPS, *DIMENSION_STEPS, *FACT_STEPS):
        db.split_statements(db.sql_text(sql_file))  # parse once, outside the timings

    def timed(name: str, action: Callable[[], object]) -> bool:
        started = time.perf_counter()
        action()
        summary.seconds[name] = time.perf_counter() - started
        return name == stop_after

    with db.connect(warehouse) as conn:
        if timed("apply_migrations", lambda: apply_migrations(conn, progress)):
            return summary
        if full_refresh and timed("reset_for_full_refresh", lambda: db.run_sql_step(conn, RESET_STEP, params)):
            return summary
        if timed(
            "extract_changed_rows",
            lambda: extract_changed_rows(
                source,
                warehouse,
                summary.run_id,
                since=since,
                until=until,
                advance_watermarks=advance_watermarks,
                progress=progress,
            ),
        ):
            return summary
        for sql_file in (*MERGE_STEPS, *DIMENSION_STEPS, *FACT_STEPS):
            if timed(step_name(sql_file), lambda sql_file=sql_file: db.run_sql_step(conn, sql_file, params)):
                return summary
        summary.rows = db.fetch_all(conn, "audit/select_load_run.sql", params)
        if publish:
            check_and_publish(summary, conn, source, warehouse, timed, send_alert, progress)
    return summary


def check_and_publish(
    summary: RunSummary,
    conn: psycopg.Connection,
    source: Database,
    warehouse: Database,
    timed: Callable[[str, Callable[[], object]], bool],
    send_alert: Callable[[str, str], None] | None,
    progress: Callable[[str], None],
) -> None:
    """Write the candidate KPI tables, audit them, and publish them if the gate lets them through."""
    from globalcart.marts.publish import build_candidates, publish_candidates
    from globalcart.notifications import QualityGateBlocked
    from globalcart.quality.gate import run_quality_checks
    from globalcart.quality.tasks import decide

    run_id = summary.run_id
    if timed("build_kpi_candidates", lambda: progress(build_candidates(conn, run_id).describe())):
        return
    if timed(
        "run_quality_checks",
        lambda: summary.checks.extend(run_quality_checks(source, warehouse, run_id, progress=progress)),
    ):
        return
    try:
        timed("enforce_quality_gate", lambda: decide(conn, run_id, summary.checks, send_alert, progress))
    except QualityGateBlocked as blocked:
        progress(str(blocked))
        summary.published = False
        return
    timed("publish_kpi_tables", lambda: publish_candidates(conn, run_id))
    summary.published = True
