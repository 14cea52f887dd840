"""globalcart_incremental, run for real through Airflow (dag.test) on a small generated shop."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from globalcart.source import simulator
from tests.warehouse.conftest import Stack

DAG_FILE = Path(__file__).resolve().parents[2] / "dags" / "globalcart_incremental.py"


def _dag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAG_FILE)).get_dag("globalcart_incremental")


def test_scheduled_runs_load_then_follow_the_source_and_publish_the_asset(stack: Stack, airflow_db: None) -> None:
    dag = _dag()
    first = dag.test()
    assert first.state == "success"
    simulator.simulate(1, 12.0)
    second = dag.test()
    assert second.state == "success"

    (source_lines,) = stack.source_sql("select count(*) from shop.order_items")[0]
    (fact_lines,) = stack.warehouse_sql("select count(*) from dw.fct_order_line")[0]
    assert fact_lines == source_lines
    logged = stack.warehouse_sql("select run_id, sum(extracted_rows) from audit.load_runs group by run_id")
    assert {run_id for run_id, _ in logged} == {first.run_id, second.run_id}

    from airflow.models.asset import AssetEvent
    from airflow.utils.session import create_session

    with create_session() as session:
        events = session.query(AssetEvent).filter(AssetEvent.source_run_id == second.run_id).all()
        published = [event.asset.name for event in events]
    assert published == ["globalcart_star_schema"]


def test_a_full_refresh_reloads_everything(stack: Stack, airflow_db: None) -> None:
    dag = _dag()
    assert dag.test().state == "success"
    with psycopg.connect(stack.warehouse.uri, autocommit=True) as conn:
        conn.execute("delete from dw.fct_order_line where order_item_id % 2 = 0")  # damage
    refreshed = dag.test(run_conf={"full_refresh": True})
    assert refreshed.state == "success"
    (source_lines,) = stack.source_sql("select count(*) from shop.order_items")[0]
    assert stack.warehouse_sql("select count(*) from dw.fct_order_line") == [(source_lines,)]


@pytest.mark.parametrize("conf", [{"full_refresh": "yes"}, {"reextract_from": "last tuesday"}])
def test_invalid_params_are_refused(conf: dict, airflow_db: None) -> None:
    from airflow.sdk.definitions.param import ParamValidationError

    with pytest.raises(ParamValidationError):
        _dag().test(run_conf=conf)
