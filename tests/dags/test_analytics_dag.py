"""globalcart_analytics, run for real through Airflow (dag.test) on a small generated shop."""

from __future__ import annotations

from pathlib import Path

import pytest

from globalcart.analytics.build import ANALYSES
from tests.support.stack import Stack

DAGS_DIR = Path(__file__).resolve().parents[2] / "dags"


def _dag(dag_id: str):
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS_DIR / f"{dag_id}.py")).get_dag(dag_id)


def test_it_is_scheduled_on_the_asset_the_incremental_dag_publishes(airflow_db: None) -> None:
    analytics, incremental = _dag("globalcart_analytics"), _dag("globalcart_incremental")
    outlets = {outlet.name for task in incremental.tasks for outlet in task.outlets}
    assert outlets == {"globalcart_star_schema"}
    assert {asset.name for asset in analytics.timetable.asset_condition.objects} == outlets


def test_a_manual_run_with_an_as_of_date_publishes_the_analytics(stack: Stack, airflow_db: None, mailbox) -> None:
    assert stack.run(publish=True).published
    (newest,) = stack.warehouse_sql("select max(period_start) from marts.kpi_daily")[0]
    as_of = newest.replace(day=1)  # an earlier day than the default, to see the parameter used

    run = _dag("globalcart_analytics").test(run_conf={"as_of": as_of.isoformat(), "horizon_days": 14})
    states = {ti.task_id: ti.state for ti in run.get_task_instances()}
    assert set(states.values()) == {"success"}, states
    assert stack.warehouse_sql("select distinct as_of from marts.analytics_status") == [(as_of,)]
    assert stack.warehouse_sql("select distinct run_id from marts.analytics_status") == [(f"analytics:{run.run_id}",)]
    statuses = dict(stack.warehouse_sql("select analysis, status from marts.analytics_status"))
    assert set(statuses) == set(ANALYSES)
    assert statuses["rfm"] == statuses["profit_leakage"] == statuses["lateness_drivers"] == "ok"
    assert stack.warehouse_sql("select count(*) from marts.revenue_forecast where is_chosen") == [(14,)]
    assert stack.warehouse_sql("select count(*) from marts.customer_rfm where last_order_date > %s", (as_of,)) == [(0,)]
    assert mailbox.messages == []


@pytest.mark.parametrize("conf", [{"as_of": "yesterday"}, {"horizon_days": 0}, {"horizon_days": 1000}])
def test_invalid_params_are_refused(conf: dict, airflow_db: None) -> None:
    from airflow.sdk.definitions.param import ParamValidationError

    with pytest.raises(ParamValidationError):
        _dag("globalcart_analytics").test(run_conf=conf)
