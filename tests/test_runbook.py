"""The runbook runs: each code block of docs/runbook.md is executed as written, on a scratch stack.

So the runbook cannot drift from the code: a renamed option, DAG or parameter fails here.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from globalcart import settings
from tests.support.stack import Stack

PROJECT = Path(__file__).resolve().parents[1]
RUNBOOK = PROJECT / "docs" / "runbook.md"


def runbook_blocks() -> list[str]:
    return re.findall(r"```bash\n(.*?)```", RUNBOOK.read_text(), flags=re.S)


def run_block(block: str, env: dict[str, str]) -> str:
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", block],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, f"{block}\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}"
    return result.stdout


def block_with(blocks: list[str], text: str) -> str:
    (block,) = [b for b in blocks if text in b]
    return block


def test_the_runbook_has_the_commands_this_test_runs() -> None:
    blocks = runbook_blocks()
    assert len(blocks) == 5
    commands = [line for block in blocks for line in block.splitlines() if line and not line.startswith("#")]
    assert all(line.startswith((".venv/bin/globalcart ", "export ")) for line in commands), commands


def _forget_runs() -> None:
    """Remove this test's queued runs and backfill from the tests' Airflow database (no scheduler runs them)."""
    from airflow.models import DagRun
    from airflow.models.backfill import Backfill, BackfillDagRun
    from airflow.utils.session import create_session

    dag_ids = ["globalcart_incremental", "globalcart_analytics"]
    with create_session() as session:
        backfill_ids = [b.id for b in session.query(Backfill).filter(Backfill.dag_id.in_(dag_ids))]
        session.query(BackfillDagRun).filter(BackfillDagRun.backfill_id.in_(backfill_ids)).delete()
        session.query(DagRun).filter(DagRun.dag_id.in_(dag_ids), DagRun.state == "queued").delete()
        session.query(Backfill).filter(Backfill.id.in_(backfill_ids)).delete()


@pytest.fixture
def no_queued_runs(airflow_db: None) -> Iterator[None]:
    _forget_runs()
    yield
    _forget_runs()


def test_every_runbook_command_runs(stack: Stack, no_queued_runs: None, mailbox, server_uri: str) -> None:
    from airflow.models import DagRun
    from airflow.models.backfill import Backfill
    from airflow.utils.session import create_session

    blocks = runbook_blocks()
    env = {**os.environ}
    assert stack.run(publish=True).published

    run_block(".venv/bin/globalcart airflow dags reserialize", env)  # what the DAG processor does in a deployment

    # Manual runs, a full refresh, a re-extraction, a backfill and the analytics as of a day are queued.
    run_block(block_with(blocks, "dags trigger globalcart_incremental\n"), env)
    with create_session() as session:
        runs = session.query(DagRun).filter(DagRun.dag_id.in_(["globalcart_incremental", "globalcart_analytics"])).all()
        confs = [(run.dag_id, run.conf or {}) for run in runs]
        backfills = session.query(Backfill).filter(Backfill.dag_id == "globalcart_incremental").all()
        backfill_runs = [run for run in runs if run.backfill_id is not None]
    assert ("globalcart_incremental", {"full_refresh": True}) in confs
    assert ("globalcart_incremental", {"reextract_from": "2026-11-01T00:00:00Z"}) in confs
    assert ("globalcart_analytics", {"as_of": "2026-10-31", "horizon_days": 60}) in confs
    ((backfill,),) = [backfills]
    assert (backfill.from_date.isoformat(), backfill.to_date.isoformat()) == (
        "2026-11-24T00:00:00+00:00",
        "2026-11-24T01:00:00+00:00",
    )
    logical_dates = sorted(run.logical_date.isoformat() for run in backfill_runs)
    assert logical_dates[:4] == [f"2026-11-24T00:{minute}:00+00:00" for minute in ("00", "15", "30", "45")]

    # The same work in-process.
    output = run_block(block_with(blocks, ".venv/bin/globalcart load\n"), env)
    assert "sarimax" in output or "seasonal_naive" in output or "baseline_regression" in output
    assert stack.warehouse_sql("select distinct as_of from marts.analytics_status") == [(date(2026, 10, 31),)]
    assert mailbox.messages == []

    # Pointing at an existing PostgreSQL: provision it with the admin URI and the passwords from the environment.
    env |= {
        "GLOBALCART_ADMIN_URI": server_uri,
        **{f"GLOBALCART_{role}_PASSWORD": f"pw-{role.lower()}" for role in ("SHOP", "EXTRACT", "LOAD", "BI")},
    }
    output = run_block(block_with(blocks, "globalcart provision"), env)
    assert "globalcart_shop, globalcart_extract, globalcart_load, globalcart_bi" in output
    assert "pw-" not in output
    assert stack.warehouse_sql("select has_schema_privilege('globalcart_bi', 'marts', 'usage')") == [(True,)]

    # Where the logs are.
    output = run_block(block_with(blocks, "base_log_folder"), env)
    expected = os.environ.get("AIRFLOW__LOGGING__BASE_LOG_FOLDER", str(Path(os.environ["AIRFLOW_HOME"]) / "logs"))
    assert output.strip() == expected

    # Scheduled runs: the interval follows the variable once the DAG file is parsed again.
    details = run_block(block_with(blocks, "GLOBALCART_INCREMENTAL_INTERVAL_MINUTES"), env)
    assert re.search(r"timetable_summary\s+(Asset or )?0:30:00", details), details
    run_block(".venv/bin/globalcart airflow dags reserialize", {**os.environ})  # back to the default


@pytest.mark.parametrize("variable", [settings.conn_env_var(settings.SHOP_CONN_ID), "GLOBALCART_ADMIN_URI"])
def test_the_runbook_names_the_variables_the_code_reads(variable: str) -> None:
    assert variable in block_with(runbook_blocks(), "globalcart provision")
