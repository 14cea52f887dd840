"""globalcart_reconcile: its shape, and one run for real through Airflow (dag.test) on a small shop."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from globalcart.pipelines import reconcile as pipeline
from globalcart.tasks import reconcile as glue
from tests.support.stack import Stack

DAGS_DIR = Path(__file__).resolve().parents[2] / "dags"


def _dag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS_DIR / "globalcart_reconcile.py")).get_dag("globalcart_reconcile")


def test_it_runs_daily_one_run_at_a_time_and_its_task_calls_the_step_of_its_name(airflow_db: None) -> None:
    dag = _dag()
    assert dag.schedule == timedelta(days=1)
    assert dag.max_active_runs == 1
    assert [task.task_id for task in dag.tasks] == ["reconcile_mirror"]
    assert callable(glue.reconcile_mirror) and callable(pipeline.reconcile_mirror)


def test_a_run_records_a_hard_delete_and_alerts(stack: Stack, airflow_db: None, mailbox) -> None:
    stack.run()
    (payment,) = stack.source_sql(
        "delete from shop.payments where payment_id = (select max(payment_id) from shop.payments) returning payment_id"
    )[0]
    run = _dag().test(run_conf={"bucket_size": 100})
    states = {ti.task_id: ti.state for ti in run.get_task_instances()}
    assert states == {"reconcile_mirror": "success"}
    assert stack.warehouse_sql("select table_name, source_key, kind, reconcile_id from audit.mirror_drift") == [
        ("payments", str(payment), "deleted_in_source", f"reconcile__{run.run_id}")
    ]
    assert len(mailbox.messages) == 1 and "1 keys of 1 table (payments)" in mailbox.subjects()[0]
