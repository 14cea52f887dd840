"""
### Simulate the shop

Moves the GlobalCart shop's operational database forward in simulated time,
writing as the shop itself (the `globalcart_shop` connection; unset, the
`globalcart_source` one), so that a local or staging deployment
has a live source to extract from: new orders, payment declines and retries,
shipments (some late), cancellations, returns and refunds weeks after the
order, price changes and customer updates. Each run advances the shop's clock
by `hours` of simulated time, `steps` times.

This DAG exists for development and demos. Do not deploy it next to a real
shop database.

**When it fails:** the task log ends with a one-line reason.
- *cannot connect to the globalcart_shop database*: the source PostgreSQL
  is down or the `AIRFLOW_CONN_GLOBALCART_SHOP` (or `..._SOURCE`) connection
  is wrong (`make up` starts the local one).
- *the source has no simulation clock*: no history was generated yet; run
  `make generate` (or `globalcart generate`).
A failed step writes nothing (each step is one transaction), so clearing the
task and running it again is safe.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import Param, dag, task

from globalcart.notifications import task_failure_notifier


@dag(
    dag_id="globalcart_simulate_shop",
    schedule=timedelta(minutes=15),
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["globalcart", "source", "demo"],
    doc_md=__doc__,
    default_args={
        "owner": "globalcart",
        "retries": 1,
        "retry_delay": timedelta(minutes=1),
        "on_failure_callback": task_failure_notifier(),
    },
    params={
        "steps": Param(1, type="integer", minimum=1, maximum=100, description="Steps to simulate."),
        "hours": Param(6, type="number", exclusiveMinimum=0, maximum=168, description="Simulated hours per step."),
    },
)
def globalcart_simulate_shop():
    @task
    def simulate_shop(params: dict | None = None) -> list[str]:
        from globalcart.source.simulator import simulate

        params = params or {}
        reports = simulate(int(params.get("steps", 1)), float(params.get("hours", 6)), progress=print)
        return [report.summary() for report in reports]

    simulate_shop()


globalcart_simulate_shop()
