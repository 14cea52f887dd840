"""globalcart_incremental, run for real through Airflow (dag.test) on a small generated shop."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from globalcart.source import simulator
from tests.support.stack import Stack

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


def _task_states(dag_run) -> dict[str, str]:
    return {ti.task_id: ti.state for ti in dag_run.get_task_instances()}


def test_a_blocked_quality_gate_fails_the_run_publishes_nothing_and_alerts_once(
    stack: Stack, airflow_db: None, mailbox
) -> None:
    dag = _dag()
    assert dag.test().state == "success"
    published = stack.warehouse_sql("select * from marts.kpi_monthly order by 1, 2, 3, 4")
    assert mailbox.messages == []
    stack.warehouse_sql(
        "update dw.fct_order_line set net_amount = -1, source_updated_at = now() "
        "where order_item_id = (select min(order_item_id) from dw.fct_order_line)"
    )

    blocked = dag.test()

    assert blocked.state == "failed"
    states = _task_states(blocked)
    assert states["quality_gate.run_quality_checks"] == "success"
    assert states["quality_gate.enforce_quality_gate"] == "failed"
    assert states["publish_kpi_tables"] == "upstream_failed"
    assert states["report_run"] == "upstream_failed"  # no asset event: the analytics do not run on it
    assert stack.warehouse_sql("select * from marts.kpi_monthly order by 1, 2, 3, 4") == published
    # One data-quality alert; the task-failure notifier stays quiet for a verdict it already reported.
    assert len(mailbox.messages) == 1, mailbox.subjects()
    assert "Data quality" in mailbox.subjects()[0] and blocked.run_id in mailbox.subjects()[0]
    assert (
        "order_line_net_not_negative" in mailbox.html() and "order_line_net_is_gross_minus_discount" in mailbox.html()
    )


def test_a_failed_task_emails_on_call(stack: Stack, airflow_db: None, mailbox, monkeypatch, capfd) -> None:
    from globalcart import settings

    monkeypatch.setenv(
        settings.conn_env_var(settings.SOURCE_CONN_ID), "postgresql://nobody:pw-must-not-leak@127.0.0.1:9/nowhere"
    )
    dag = _dag()
    for task in dag.tasks:
        task.retries = 0

    run = dag.test()

    assert run.state == "failed"
    assert _task_states(run)["extract_changed_rows"] == "failed"
    assert mailbox.subjects() == [
        f"[GlobalCart 360] Task failed: globalcart_incremental.extract_changed_rows (run {run.run_id})"
    ]
    assert "cannot connect to the globalcart_source database" in mailbox.html()
    assert "pw-must-not-leak" not in mailbox.messages[0].as_string()
    assert "nobody:***@127.0.0.1:9" in mailbox.html()
    # Nor in the task logs, nor in the templates Airflow rendered for the run.
    from airflow.models.renderedtifields import RenderedTaskInstanceFields
    from airflow.utils.session import create_session

    logs = capfd.readouterr()
    assert "cannot connect to the globalcart_source database" in logs.out + logs.err
    assert "pw-must-not-leak" not in logs.out + logs.err
    with create_session() as session:
        rendered = session.query(RenderedTaskInstanceFields).filter_by(run_id=run.run_id).all()
        assert rendered
        assert "pw-must-not-leak" not in repr([(r.task_id, r.rendered_fields) for r in rendered])
