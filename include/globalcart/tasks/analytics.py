"""The tasks of ``globalcart_analytics``: each builds the run from Airflow's context and calls its step.

The steps themselves are in ``globalcart.pipelines.analytics``, under the same names.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

from airflow.sdk.exceptions import AirflowSkipException

from globalcart.errors import FactsNotPublished, GlobalCartError, QualityGateBlocked
from globalcart.notifications import airflow_links
from globalcart.pipelines import analytics
from globalcart.pipelines.analytics import AnalyticsRun, analytics_run_id
from globalcart.quality.gate import results_table
from globalcart.settings import WAREHOUSE
from globalcart.tasks.common import GateBlocked, airflow_database, say

Context = dict[str, Any]
T = TypeVar("T")


def _on_published_facts(step: Callable[[AnalyticsRun], T], context: Context) -> T:
    """Run a step that reads the facts; skip it (and so the rest of the run) while they are unpublished.

    A blocked KPI publication has sent its own alert; failing here too would page again for the
    same fault. The next KPI publication starts this DAG again.
    """
    try:
        return step(analytics_run(context))
    except FactsNotPublished as refused:
        say(str(refused))
        raise AirflowSkipException(str(refused)) from refused


def parse_as_of(value: str | None) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise GlobalCartError(f"as_of must be a date like 2026-11-25, got {value!r}") from None


def analytics_run(context: Context) -> AnalyticsRun:
    params = context["params"]
    dag_run = context["dag_run"]
    task_id = context["ti"].task_id if context.get("ti") else None
    return AnalyticsRun(
        analytics_run_id(dag_run.run_id),
        airflow_database(WAREHOUSE),
        as_of=parse_as_of(params.get("as_of")),
        horizon_days=int(params.get("horizon_days") or 90),
        progress=say,
        links=airflow_links(dag_run.dag_id, dag_run.run_id, task_id),
    )


def apply_migrations(context: Context) -> list[str]:
    return analytics.apply_migrations(analytics_run(context))


def prepare_analytics(context: Context) -> str:
    return _on_published_facts(analytics.prepare_analytics, context)


def _lines(statuses) -> list[str]:
    return [status.line() for status in statuses]


def build_retention(context: Context) -> list[str]:
    return _lines(_on_published_facts(analytics.build_retention, context))


def build_profit_leakage(context: Context) -> list[str]:
    return _lines(_on_published_facts(analytics.build_profit_leakage, context))


def build_sla_drivers(context: Context) -> list[str]:
    return _lines(_on_published_facts(analytics.build_sla_drivers, context))


def build_forecast(context: Context) -> list[str]:
    return _lines(analytics.build_forecast(analytics_run(context)))


def run_analytics_checks(context: Context) -> dict[str, int]:
    results = analytics.run_analytics_checks(analytics_run(context))
    for line in results_table(results):
        say(line)
    return {"checks": len(results), "failed": sum(1 for r in results if r.failed)}


def enforce_analytics_gate(context: Context) -> str:
    """Alert on failed checks; fail the task, without retries, when a critical one failed."""
    try:
        return analytics.enforce_analytics_gate(analytics_run(context))
    except QualityGateBlocked as blocked:
        raise GateBlocked(str(blocked)) from blocked


def publish_analytics(context: Context) -> list[str]:
    lines = analytics.publish_analytics(analytics_run(context))
    for line in lines:
        say(line)
    return lines
