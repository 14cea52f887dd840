"""`make demo`: the whole job, end to end, on the local stack, with progress and a summary."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from globalcart import db, localstack, settings
from globalcart.airflow_env import airflow_environment, prepare_airflow_home
from globalcart.errors import GlobalCartError
from globalcart.source.history import load_history
from globalcart.source.simulator import simulate

DEMO_ORDER_LINES = 200_000
DEMO_DAYS = 730
DEMO_SEED = 42
SIMULATED_STEPS = 4
HOURS_PER_STEP = 6.0


def run_demo(say: Callable[[str], None] = print) -> None:
    started = time.perf_counter()
    say("==> 1/5 local stack")
    say(f"  {localstack.start()}")

    say(f"==> 2/5 generating the shop's history ({DEMO_ORDER_LINES:,} order lines over {DEMO_DAYS} days)")
    end_date = datetime.now(UTC).date()
    manifest = load_history(
        order_lines=DEMO_ORDER_LINES,
        days=DEMO_DAYS,
        end_date=end_date,
        seed=DEMO_SEED,
        replace=True,
        progress=lambda line: say(f"  {line}"),
    )

    say(f"==> 3/5 simulating the live shop: {SIMULATED_STEPS} steps of {HOURS_PER_STEP:g} hours")
    simulate(SIMULATED_STEPS - 1, HOURS_PER_STEP, progress=lambda line: say(f"  {line}"))
    say("  and one step with the hard cases a pipeline must survive:")
    simulate(
        1,
        HOURS_PER_STEP,
        hard_cases=("long_transaction", "shared_timestamp", "old_order_burst"),
        burst_rows=100,
        progress=lambda line: say(f"  {line}"),
    )

    say("==> 4/5 running the globalcart_simulate_shop DAG through Airflow (airflow dags test)")
    run_dag_test("globalcart_simulate_shop", say)

    say("==> 5/5 summary")
    for line in summary_lines(manifest):
        say(f"  {line}")
    say(f"demo finished in {time.perf_counter() - started:.0f} s")


def run_dag_test(dag_id: str, say: Callable[[str], None]) -> None:
    """Run one DAG in-process with `airflow dags test`, its full log kept in .local/demo/."""
    env = {**os.environ, **airflow_environment()}
    prepare_airflow_home(env)
    airflow = str(Path(sys.executable).with_name("airflow"))
    log_dir = settings.LOCAL_DIR / "demo"
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"{dag_id}.log"
    with log_path.open("w") as log:
        for command in ([airflow, "db", "migrate"], [airflow, "dags", "test", dag_id]):
            started = time.perf_counter()
            result = subprocess.run(command, env=env, stdout=log, stderr=subprocess.STDOUT, check=False)
            if result.returncode != 0:
                raise GlobalCartError(f"`airflow {' '.join(command[1:])}` failed; see {log_path}")
            say(f"  airflow {' '.join(command[1:])}: ok in {time.perf_counter() - started:.1f} s")
    # `airflow dags test` exits 0 even when the run fails: read the run's final state from its log.
    text = log_path.read_text()
    finished = re.search(rf"DagRun Finished: dag_id={re.escape(dag_id)},.*? state=(\w+)", text)
    state = finished.group(1) if finished else "unknown"
    if state != "success":
        raise GlobalCartError(f"the {dag_id} run ended in state {state}; see {log_path}")
    for line in text.splitlines():
        if line.startswith("step "):
            say(f"  {line}")
    say(f"  run state: {state}; full Airflow log: {log_path}")


def summary_lines(manifest: dict) -> list[str]:
    with db.connect(settings.SOURCE) as conn:
        counts = db.fetch_all(conn, "source/select_table_counts.sql")
        statuses = db.fetch_all(conn, "source/select_order_status_counts.sql")
        (clock,) = db.fetch_all(conn, "source/sim/read_clock.sql")
    lines = ["source tables: " + ", ".join(f"{table} {rows:,}" for table, rows in counts)]
    lines.append("orders by status: " + ", ".join(f"{status} {rows:,}" for status, rows in statuses))
    lines.append(f"simulated clock: {clock[0]:%Y-%m-%d %H:%M} UTC after {clock[1]} steps")
    realised = manifest.get("realised", {})
    if realised:
        lines.append(
            "planted signals: highest return rate in "
            f"{manifest['ground_truth']['highest_return_rate_category']}, late pair "
            f"{manifest['ground_truth']['late_pair']['carrier']} at "
            f"{manifest['ground_truth']['late_pair']['fulfillment_center']}"
        )
    lines.append(f"source database: {settings.SOURCE.display_uri()}")
    return lines
