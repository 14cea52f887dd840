"""What the globalcart_analytics DAG's tasks do; the DAG file only wires them."""

from __future__ import annotations

from datetime import date

from globalcart import db
from globalcart.analytics import build
from globalcart.errors import GlobalCartError
from globalcart.settings import WAREHOUSE
from globalcart.warehouse.tasks import airflow_database


def analytics_run_id(dag_run_id: str) -> str:
    """The run's id in the warehouse's audit tables, apart from the incremental DAG's runs."""
    return f"analytics:{dag_run_id}"


def parse_as_of(value: str | None) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise GlobalCartError(f"as_of must be a date like 2026-11-25, got {value!r}") from None


def prepare(run_id: str, as_of: str | None, horizon_days: int) -> str:
    with db.connect(airflow_database(WAREHOUSE)) as conn:
        description = build.prepare(conn, run_id, parse_as_of(as_of), int(horizon_days)).describe()
    print(description)
    return description


def _built(builder, run_id: str) -> list[str]:
    with db.connect(airflow_database(WAREHOUSE)) as conn:
        statuses = builder(conn, run_id, print)
    return [status.line() for status in statuses]


def build_retention(run_id: str) -> list[str]:
    return _built(build.build_retention, run_id)


def build_profit_leakage(run_id: str) -> list[str]:
    return _built(build.build_profit_leakage, run_id)


def build_sla(run_id: str) -> list[str]:
    return _built(build.build_sla, run_id)


def build_forecast(run_id: str) -> list[str]:
    return _built(build.build_forecast, run_id)


def run_analytics_checks(run_id: str) -> dict[str, int]:
    from globalcart.quality.gate import results_table

    results = build.run_analytics_checks(airflow_database(WAREHOUSE), run_id, progress=print)
    for line in results_table(results):
        print(line)
    return {"checks": len(results), "failed": sum(1 for r in results if r.failed)}


def enforce_analytics_gate(run_id: str) -> str:
    """Alert on failed checks; raise QualityGateBlocked (failing the task) when a critical one failed."""
    from globalcart.quality.gate import stored_results
    from globalcart.quality.tasks import decide

    with db.connect(airflow_database(WAREHOUSE)) as conn:
        decision = decide(conn, run_id, stored_results(conn, run_id), progress=print, publication="analytics")
    return decision.summary()


def publish_analytics(run_id: str) -> list[str]:
    from globalcart.analytics.report import summary_lines

    with db.connect(airflow_database(WAREHOUSE)) as conn:
        if not build.publish(conn, run_id):
            print(f"run {run_id} had published its analytics already")
        lines = summary_lines(conn)
    for line in lines:
        print(line)
    return lines
