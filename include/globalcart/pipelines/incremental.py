"""The incremental load, step by step: the one sequence the DAG and the in-process runner share.

Each step is a function named after its task in ``globalcart_incremental`` and takes
the run it belongs to; ``STEPS`` lists them in the DAG's order, and a test holds the
two together. The DAG runs each step as a task (``globalcart.tasks.incremental``
builds the run from Airflow's context); ``run_incremental`` runs them one after the
other in this process, for the CLI, the demo, the tests and the benchmark. Either way
every step is one transaction or idempotent, so a step that fails leaves the
warehouse as it was before the step.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime

from globalcart import db, memory, publications, run_lease
from globalcart.errors import QualityGateBlocked
from globalcart.marts import publish
from globalcart.notifications import NO_LINKS, Links
from globalcart.quality import freshness, gate
from globalcart.quality.decision import SendAlert, decide
from globalcart.settings import SOURCE, WAREHOUSE, Database
from globalcart.warehouse import extract, migrations
from globalcart.warehouse.steps import (
    DIMENSION_STEPS,
    FACT_STEPS,
    MERGE_STEPS,
    RESET_STEP,
    step_name,
    step_parameters,
)

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


@dataclass(frozen=True)
class IncrementalRun:
    """What one run of the incremental load reads, writes and how it reports."""

    run_id: str
    source: Database = SOURCE
    warehouse: Database = WAREHOUSE
    full_refresh: bool = False
    since: datetime | None = None  # re-read every row changed since then (else: since each watermark)
    until: datetime | None = None
    advance_watermarks: bool = True  # False re-reads a window (a backfill) without moving the watermarks
    send_alert: SendAlert | None = None  # default: email through Airflow's SMTP connection
    progress: Progress = _quiet
    links: Links = NO_LINKS  # where an alert sends its reader (the Airflow run, its logs)
    dag_id: str | None = None  # the Airflow DAG the run belongs to; None for a run in this process


@dataclass
class RunSummary:
    run_id: str
    rows: list[tuple] = field(default_factory=list)  # per table: extracted, inserted, updated, stale, rejected
    seconds: dict[str, float] = field(default_factory=dict)
    peak_mb: dict[str, float] = field(default_factory=dict)  # this process's memory high-water mark per step
    checks: list = field(default_factory=list)  # quality.gate.CheckResult, one per check
    published: bool | None = None  # None: the run did not reach the quality gate
    wakes_analytics: bool | None = None  # what announce_changes decided; None: it did not run

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


# --------------------------------------------------------------------------- the steps, in the DAG's order


def apply_migrations(run: IncrementalRun) -> list[str]:
    with db.connect(run.warehouse) as conn:
        return migrations.apply_migrations(conn, progress=run.progress)


def extract_changed_rows(run: IncrementalRun) -> dict[str, int]:
    """Stage the changed rows; a full refresh first forgets what was loaded."""
    if run.full_refresh:
        with db.connect(run.warehouse) as conn:
            db.run_sql_step(conn, RESET_STEP, step_parameters(run.run_id))
        run.progress("full refresh: mirror, star schema and watermarks reset; extracting the whole source")
    if not run.advance_watermarks:
        run.progress(f"re-extracting rows changed in [{run.since}, {run.until}) without moving the watermarks")
    elif run.since is not None:
        run.progress(f"re-extracting every row changed since {run.since}")
    batches = extract.extract_changed_rows(
        run.source,
        run.warehouse,
        run.run_id,
        since=run.since,
        until=run.until,
        advance_watermarks=run.advance_watermarks,
        progress=run.progress,
    )
    return {batch.table_name: batch.rows for batch in batches}


def sql_step(sql_file: str) -> Callable[[IncrementalRun], None]:
    """A merge or build step: its SQL file's statements in one transaction (the DAG runs the same file)."""

    def run_step(run: IncrementalRun) -> None:
        with db.connect(run.warehouse) as conn:
            db.run_sql_step(conn, sql_file, step_parameters(run.run_id))

    run_step.__name__ = step_name(sql_file)
    return run_step


def build_kpi_candidates(run: IncrementalRun) -> str:
    with db.connect(run.warehouse) as conn:
        description = publish.build_candidates(conn, run.run_id).describe()
    run.progress(description)
    return description


def run_quality_checks(run: IncrementalRun) -> list[gate.CheckResult]:
    return gate.run_quality_checks(run.source, run.warehouse, run.run_id, progress=run.progress)


def enforce_quality_gate(run: IncrementalRun) -> str:
    """Alert on failed checks (once per fault); raise QualityGateBlocked when a critical one failed."""
    with db.connect(run.warehouse) as conn:
        results = gate.stored_results(conn, run.run_id)
        return decide(conn, run.run_id, results, run.send_alert, run.progress, links=run.links).summary()


def publish_kpi_tables(run: IncrementalRun) -> list[str]:
    with db.connect(run.warehouse) as conn:
        if not publish.publish_candidates(conn, run.run_id):
            run.progress(f"run {run.run_id} had published its KPI tables already")
        freshness.publication_resumed(conn, publications.KPIS, run.run_id, run.send_alert, run.links)
        return publish.moves_table(publish.kpi_moves(conn, run.run_id))


def report_run(run: IncrementalRun) -> list[tuple]:
    """The run's counts per table (audit.load_runs)."""
    with db.connect(run.warehouse) as conn:
        return db.fetch_all(conn, "audit/select_load_run.sql", {"run_id": run.run_id})


def announce_changes(run: IncrementalRun) -> bool:
    """Whether the analytics must run: the run changed what they read, or it ended a blocked gate they skipped."""
    with db.connect(run.warehouse) as conn:
        ((changed, behind_a_block),) = db.fetch_all(
            conn, "audit/select_run_announces_changes.sql", {"run_id": run.run_id}
        )
    if changed:
        run.progress("the star schema changed: downstream DAGs run")
    elif behind_a_block:
        run.progress("the gate passes again after a block the analytics have not caught up with: they run")
    else:
        run.progress("nothing changed: downstream DAGs rest")
    return changed or behind_a_block


@dataclass(frozen=True)
class Step:
    name: str
    action: Callable[[IncrementalRun], object]
    gate: bool = False  # part of write-audit-publish: skipped by a run that does not publish


STEPS: tuple[Step, ...] = (
    Step("apply_migrations", apply_migrations),
    Step("extract_changed_rows", extract_changed_rows),
    *(Step(step_name(sql_file), sql_step(sql_file)) for sql_file in (*MERGE_STEPS, *DIMENSION_STEPS, *FACT_STEPS)),
    Step("build_kpi_candidates", build_kpi_candidates, gate=True),
    Step("run_quality_checks", run_quality_checks, gate=True),
    Step("enforce_quality_gate", enforce_quality_gate, gate=True),
    Step("publish_kpi_tables", publish_kpi_tables, gate=True),
    Step("report_run", report_run),
    Step("announce_changes", announce_changes, gate=True),
)
# The DAG's setup and teardown tasks around the steps that write the warehouse; in-process,
# run_incremental holds the lease the same way.
LEASE_TASKS = ("claim_warehouse", "release_warehouse")


# --------------------------------------------------------------------------- in-process


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
    send_alert: SendAlert | None = None,
    progress: Progress = _quiet,
) -> RunSummary:
    """Every step of ``STEPS`` in order, in this process: one run.

    ``stop_after`` ends the run after the named step (for tests of a run that dies half-way).
    ``publish=False`` skips the quality gate and the publication. A blocked quality gate does
    not raise here: ``summary.published`` is False and the alert went through ``send_alert``.
    """
    run = IncrementalRun(
        run_id or new_run_id(),
        source,
        warehouse,
        full_refresh=full_refresh,
        since=since,
        until=until,
        advance_watermarks=advance_watermarks,
        send_alert=send_alert,
        progress=progress,
    )
    summary = RunSummary(run.run_id)
    for sql_file in (*MERGE_STEPS, *DIMENSION_STEPS, *FACT_STEPS):
        db.split_statements(db.sql_text(sql_file))  # parse once, outside the timings
    with ExitStack() as lease:
        _run_steps(run, summary, publish, stop_after, lease)
    return summary


def _run_steps(run: IncrementalRun, summary: RunSummary, publish: bool, stop_after: str | None, lease: ExitStack):
    progress = run.progress
    for step in STEPS:
        if step.name != "apply_migrations" and not lease:
            # The first write after the migrations: from here the run holds the warehouse.
            lease.enter_context(run_lease.held(run.warehouse, run.run_id, progress=progress))
        if step.gate and not publish:
            continue
        memory.reset_peak()
        started = time.perf_counter()
        try:
            result = step.action(run)
        except QualityGateBlocked as blocked:
            progress(str(blocked))
            summary.published = False
            summary.rows = report_run(run)  # what was loaded, though nothing was published
            return
        finally:
            summary.seconds[step.name] = time.perf_counter() - started
            summary.peak_mb[step.name] = memory.peak_mb()
        if step.name == "run_quality_checks":
            summary.checks.extend(result)
        elif step.name == "publish_kpi_tables":
            summary.published = True
        elif step.name == "report_run":
            summary.rows = result
        elif step.name == "announce_changes":
            summary.wakes_analytics = result
        if step.name == stop_after:
            break
