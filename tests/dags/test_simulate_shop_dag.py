"""globalcart_simulate_shop, run for real through Airflow (dag.test) against a generated source."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import psycopg
import pytest

from globalcart import settings
from globalcart.source.history import load_history

DAG_FILE = Path(__file__).resolve().parents[2] / "dags" / "globalcart_simulate_shop.py"


def _dag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAG_FILE)).get_dag("globalcart_simulate_shop")


def test_a_run_advances_the_shop(source_uri: str, airflow_db: None) -> None:
    load_history(order_lines=5_000, days=60, end_date=date(2026, 6, 1), seed=3)
    dag_run = _dag().test(run_conf={"steps": 2, "hours": 3})
    assert dag_run.state == "success"
    with psycopg.connect(source_uri) as conn:
        step_count, simulated_at = conn.execute("select step_count, simulated_at from sim.clock").fetchone()
    assert step_count == 2
    assert simulated_at.isoformat() == "2026-06-01T06:00:00+00:00"


def test_a_run_without_a_source_history_fails(source_uri: str, airflow_db: None) -> None:
    assert settings.SOURCE.uri == source_uri
    dag = _dag()
    for task in dag.tasks:
        task.retries = 0  # the point is the failure, not the retry delay
    dag_run = dag.test()
    assert dag_run.state == "failed"


@pytest.mark.parametrize("conf", [{"steps": 0}, {"hours": -1}])
def test_invalid_params_are_refused(conf: dict, airflow_db: None) -> None:
    from airflow.sdk.definitions.param import ParamValidationError

    with pytest.raises(ParamValidationError):
        _dag().test(run_conf=conf)


@pytest.mark.parametrize(("setting", "defined"), [(None, False), ("false", False), ("true", True)])
def test_it_deploys_only_where_asked(setting: str | None, defined: bool) -> None:
    """A deployment mounting dags/ gets the simulator, which writes to the shop, only with GLOBALCART_DEV_DAGS=true."""
    import os
    import subprocess
    import sys

    env = {key: value for key, value in os.environ.items() if key != "GLOBALCART_DEV_DAGS"}
    if setting is not None:
        env["GLOBALCART_DEV_DAGS"] = setting
    probe = (
        "from airflow.dag_processing.dagbag import DagBag\n"
        f"bag = DagBag(dag_folder={str(DAG_FILE)!r})\n"
        "print(sorted(bag.dags), bag.import_errors)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    expected = "['globalcart_simulate_shop']" if defined else "[]"
    assert result.stdout.strip().splitlines()[-1] == f"{expected} {{}}"
