"""The analytics, step by step: the one sequence ``globalcart_analytics`` and the in-process runner share.

Each step is named after its task in the DAG and takes the run it belongs to;
``STEPS`` lists them in the DAG's order (the four builders run side by side in
Airflow, one after the other here), and a test holds the two together.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TypeVar

from globalcart import db, publications
from globalcart.analytics import build
from globalcart.analytics.report import summary_lines
from globalcart.notifications import NO_LINKS, Links
from globalcart.quality import freshness, gate
from globalcart.quality.decision import SendAlert, decide
from globalcart.settings import DATA_DOCS_DIR, WAREHOUSE, Database
from globalcart.warehouse import migrations

T = TypeVar("T")
Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


@dataclass(frozen=True)
class AnalyticsRun:
    run_id: str  # analytics_run_id() of the DAG run, apart from the incremental runs in the audit tables
    warehouse: Database = WAREHOUSE
    as_of: date | None = None  # None: the last closed day
    horizon_days: int = build.DEFAULT_HORIZON_DAYS
    send_alert: SendAlert | None = None  # default: email through Airflow's SMTP connection
    data_docs_dir: Path = DATA_DOCS_DIR
    progress: Progress = _quiet
    links: Links = NO_LINKS  # where an alert sends its reader (the Airflow run, its logs)


def analytics_run_id(dag_run_id: str) -> str:
    """The run's id in the warehouse's audit tables, apart from the incremental DAG's runs."""
    return f"analytics:{dag_run_id}"


# --------------------------------------------------------------------------- the steps, in the DAG's order


def apply_migrations(run: AnalyticsRun) -> list[str]:
    with db.connect(run.warehouse) as conn:
        return migrations.apply_migrations(conn, progress=run.progress)


def prepare_analytics(run: AnalyticsRun) -> str:
    with db.connect(run.warehouse) as conn:
        description = build.prepare(conn, run.run_id, run.as_of, run.horizon_days, run.progress).describe()
    run.progress(description)
    return description


def _builder(builder: Callable) -> Callable[[AnalyticsRun], list[build.AnalysisStatus]]:
    def run_builder(run: AnalyticsRun) -> list[build.AnalysisStatus]:
        with db.connect(run.warehouse) as conn:
            return builder(conn, run.run_id, run.progress)

    run_builder.__name__ = builder.__name__
    return run_builder


build_retention = _builder(build.build_retention)
build_profit_leakage = _builder(build.build_profit_leakage)
build_sla_drivers = _builder(build.build_sla_drivers)
build_forecast = _builder(build.build_forecast)


def run_analytics_checks(run: AnalyticsRun) -> list[gate.CheckResult]:
    return build.run_analytics_checks(run.warehouse, run.run_id, data_docs_dir=run.data_docs_dir, progress=run.progress)


def enforce_analytics_gate(run: AnalyticsRun) -> str:
    """Alert on failed checks; raise QualityGateBlocked when a critical one failed."""
    with db.connect(run.warehouse) as conn:
        results = gate.stored_results(conn, run.run_id)
        decision = decide(
            conn, run.run_id, results, run.send_alert, run.progress, publication="analytics", links=run.links
        )
        return decision.summary()


def publish_analytics(run: AnalyticsRun) -> list[str]:
    """Swap the set into marts; the readable summary of what was published."""
    with db.connect(run.warehouse) as conn:
        if build.publish(conn, run.run_id):
            run.progress(f"analytics of run {run.run_id} published")
        else:
            run.progress(f"run {run.run_id} had published its analytics already")
        freshness.publication_resumed(conn, publications.ANALYTICS, run.run_id, run.send_alert, run.links)
        return summary_lines(conn)


STEPS: tuple[tuple[str, Callable[[AnalyticsRun], object]], ...] = (
    ("apply_migrations", apply_migrations),
    ("prepare_analytics", prepare_analytics),
    ("build_retention", build_retention),
    ("build_profit_leakage", build_profit_leakage),
    ("build_sla_drivers", build_sla_drivers),
    ("build_forecast", build_forecast),
    ("run_analytics_checks", run_analytics_checks),
    ("enforce_analytics_gate", enforce_analytics_gate),
    ("publish_analytics", publish_analytics),
)
BUILDERS = ("build_retention", "build_profit_leakage", "build_sla_drivers", "build_forecast")


# --------------------------------------------------------------------------- in-process


def _untimed(_step: str, action: Callable[[], T]) -> T:
    return action()


def run_analytics(
    warehouse: Database,
    run_id: str,
    *,
    as_of: date | None = None,
    horizon_days: int = build.DEFAULT_HORIZON_DAYS,
    publish_tables: bool = True,
    send_alert: SendAlert | None = None,
    data_docs_dir: Path = DATA_DOCS_DIR,
    progress: Progress = _quiet,
    step: Callable[[str, Callable[[], T]], T] = _untimed,
) -> list[build.AnalysisStatus]:
    """Every step of ``STEPS`` in order, in this process; returns the builders' statuses.

    ``step(name, action)`` runs each step's action; the benchmark passes one that times it.
    A blocked gate raises QualityGateBlocked, after its alert, and publishes nothing.
    """
    build.check_horizon(horizon_days)  # before any step, so a bad value changes nothing
    run = AnalyticsRun(run_id, warehouse, as_of, horizon_days, send_alert, data_docs_dir, progress)
    statuses: list[build.AnalysisStatus] = []
    for name, action in STEPS:
        if name == "publish_analytics" and not publish_tables:
            break
        result = step(name, lambda action=action: action(run))
        if name in BUILDERS:
            statuses.extend(result)
    return statuses
