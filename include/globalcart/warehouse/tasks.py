"""What the globalcart_incremental DAG's Python tasks do; the DAG file only wires them."""

from __future__ import annotations

from datetime import datetime

from globalcart import db
from globalcart.settings import SOURCE, WAREHOUSE, Database
from globalcart.warehouse.extract import extract_changed_rows
from globalcart.warehouse.migrations import apply_migrations
from globalcart.warehouse.pipeline import RunSummary
from globalcart.warehouse.steps import RESET_STEP


def airflow_database(database: Database) -> Database:
    """The database as Airflow's connection of the same id describes it (env, UI or secrets backend)."""
    from airflow.sdk import BaseHook

    return database.at(BaseHook.get_connection(database.conn_id).get_uri())


def migrate_warehouse() -> list[str]:
    with db.connect(airflow_database(WAREHOUSE)) as conn:
        return apply_migrations(conn, progress=print)


def extract(
    run_id: str,
    *,
    full_refresh: bool,
    reextract_from: str | None,
    backfill_window: tuple[datetime, datetime] | None,
) -> dict[str, int]:
    """Stage the changed rows; a full refresh first forgets what was loaded, a backfill re-reads its window."""
    warehouse = airflow_database(WAREHOUSE)
    if full_refresh:
        with db.connect(warehouse) as conn:
            db.run_sql_step(conn, RESET_STEP, {"run_id": run_id})
        print("full refresh: mirror, star schema and watermarks reset; extracting the whole source")
    since = until = None
    advance = True
    if backfill_window is not None:
        since, until = backfill_window
        advance = False
        print(f"backfill: re-extracting rows changed in [{since}, {until}) without moving the watermarks")
    elif reextract_from:
        since = datetime.fromisoformat(reextract_from)
        print(f"re-extracting every row changed since {since}")
    batches = extract_changed_rows(
        airflow_database(SOURCE),
        warehouse,
        run_id,
        since=since,
        until=until,
        advance_watermarks=advance,
        progress=print,
    )
    return {batch.table_name: batch.rows for batch in batches}


def report(run_id: str) -> list[str]:
    with db.connect(airflow_database(WAREHOUSE)) as conn:
        summary = RunSummary(run_id, db.fetch_all(conn, "audit/select_load_run.sql", {"run_id": run_id}))
    lines = summary.table()
    for line in lines:
        print(line)
    return lines


def build_kpi_candidates(run_id: str) -> str:
    from globalcart.marts.publish import build_candidates

    with db.connect(airflow_database(WAREHOUSE)) as conn:
        description = build_candidates(conn, run_id).describe()
    print(description)
    return description


def run_quality_checks(run_id: str) -> dict[str, int]:
    from globalcart.quality.gate import results_table, run_quality_checks

    results = run_quality_checks(airflow_database(SOURCE), airflow_database(WAREHOUSE), run_id, progress=print)
    for line in results_table(results):
        print(line)
    return {"checks": len(results), "failed": sum(1 for r in results if r.failed)}


def enforce_quality_gate(run_id: str) -> str:
    """Alert on failed checks; raise QualityGateBlocked (failing the task) when a critical one failed."""
    from globalcart.quality.gate import stored_results
    from globalcart.quality.tasks import decide

    with db.connect(airflow_database(WAREHOUSE)) as conn:
        decision = decide(conn, run_id, stored_results(conn, run_id), progress=print)
    return decision.summary()


def publish_kpi_tables(run_id: str) -> list[str]:
    from globalcart.marts.publish import kpi_moves, moves_table, publish_candidates

    with db.connect(airflow_database(WAREHOUSE)) as conn:
        if not publish_candidates(conn, run_id):
            print(f"run {run_id} had published its KPI tables already")
        lines = moves_table(kpi_moves(conn, run_id))
    print("KPIs this run moved (monthly, whole shop):")
    for line in lines:
        print(line)
    return lines
