"""The tasks of ``globalcart_incremental``: each builds the run from Airflow's context and calls its step.

The steps themselves are in ``globalcart.pipelines.incremental``, under the same names.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from airflow.sdk.exceptions import AirflowSkipException

from globalcart import db, run_lease
from globalcart.errors import QualityGateBlocked
from globalcart.notifications import airflow_links
from globalcart.pipelines import incremental
from globalcart.pipelines.incremental import IncrementalRun, RunSummary
from globalcart.quality.gate import results_table
from globalcart.settings import SOURCE, WAREHOUSE
from globalcart.tasks.common import GateBlocked, airflow_database, is_run_alive, say

Context = dict[str, Any]


def incremental_run(context: Context) -> IncrementalRun:
    """The run a task belongs to: its id, the databases, and what its params and run type ask for.

    A backfill run re-reads the rows changed in its data interval without moving the watermarks;
    ``reextract_from`` re-reads every row changed since then; ``full_refresh`` reloads everything.
    """
    dag_run = context["dag_run"]
    params = context["params"]
    since = until = None
    advance_watermarks = True
    if getattr(dag_run.run_type, "value", dag_run.run_type) == "backfill":
        since, until = context["data_interval_start"], context["data_interval_end"]
        advance_watermarks = False
    elif params.get("reextract_from"):
        since = datetime.fromisoformat(params["reextract_from"])
    task_id = context["ti"].task_id if context.get("ti") else None
    return IncrementalRun(
        dag_run.run_id,
        airflow_database(SOURCE),
        airflow_database(WAREHOUSE),
        full_refresh=bool(params.get("full_refresh")),
        since=since,
        until=until,
        advance_watermarks=advance_watermarks,
        progress=say,
        links=airflow_links(dag_run.dag_id, dag_run.run_id, task_id),
        dag_id=dag_run.dag_id,
    )


def claim_warehouse(context: Context) -> bool:
    """Take the warehouse's run lease; False (the sensor waits) while another live run holds it."""
    run = incremental_run(context)
    with db.connect(run.warehouse) as conn:
        other = run_lease.try_take(conn, run.run_id, dag_id=run.dag_id, is_run_alive=is_run_alive)
    if other is not None:
        say(f"waiting: run {other.run_id} has been writing the warehouse since {other.acquired_at:%H:%M:%S} UTC")
        return False
    say(f"run {run.run_id} holds the warehouse")
    return True


def release_warehouse(context: Context) -> None:
    run = incremental_run(context)
    with db.connect(run.warehouse) as conn:
        run_lease.release(conn, run.run_id)
    say(f"run {run.run_id} released the warehouse")


def apply_migrations(context: Context) -> list[str]:
    return incremental.apply_migrations(incremental_run(context))


def extract_changed_rows(context: Context) -> dict[str, int]:
    return incremental.extract_changed_rows(incremental_run(context))


def build_kpi_candidates(context: Context) -> str:
    return incremental.build_kpi_candidates(incremental_run(context))


def run_quality_checks(context: Context) -> dict[str, int]:
    results = incremental.run_quality_checks(incremental_run(context))
    for line in results_table(results):
        say(line)
    return {"checks": len(results), "failed": sum(1 for r in results if r.failed)}


def enforce_quality_gate(context: Context) -> str:
    """Alert on failed checks; fail the task, without retries, when a critical one failed."""
    try:
        return incremental.enforce_quality_gate(incremental_run(context))
    except QualityGateBlocked as blocked:
        raise GateBlocked(str(blocked)) from blocked


def publish_kpi_tables(context: Context) -> list[str]:
    lines = incremental.publish_kpi_tables(incremental_run(context))
    say("KPIs this run moved (monthly, whole shop):")
    for line in lines:
        say(line)
    return lines


def announce_changes(context: Context) -> str:
    """Tell downstream DAGs (the asset) only when the run changed something; skip otherwise."""
    if not incremental.announce_changes(incremental_run(context)):
        raise AirflowSkipException("nothing changed: the analytics are not started")
    return "the star schema changed"


def report_run(context: Context) -> list[str]:
    run = incremental_run(context)
    lines = RunSummary(run.run_id, incremental.report_run(run)).table()
    for line in lines:
        say(line)
    return lines
