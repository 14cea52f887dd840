"""
### Simulate the shop

Moves the GlobalCart shop's operational database forward in simulated time,
writing as the shop itself (the `globalcart_shop` connection; unset, the
`globalcart_source` one), so that a local or staging deployment
has a live source to extract from: new orders, payment declines and retries,
shipments (some late), cancellations, returns and refunds weeks after the
order, price changes and customer updates. Each run advances the shop's clock
by `hours` of simulated time, `steps` times.

This DAG exists for development and demos, and is defined only where
`GLOBALCART_DEV_DAGS=true` (local mode sets it; a docker-compose deployment only
when `.env` asks for it). Do not deploy it next to a real shop database.

**When it fails:** the task log ends with a one-line reason.
- `cannot connect to the globalcart_shop database`: the source PostgreSQL
  is down or the `AIRFLOW_CONN_GLOBALCART_SHOP` (or `..._SOURCE`) connection
  is wrong (`make up` starts the local one).
- `the source has no simulation clock`: no history was generated yet; run
  `make generate` (or `globalcart generate`).
A failed step writes nothing (each step is one transaction), so clearing the
task and running it again is safe.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta

from airflow.sdk import Param, dag, task

from globalcart.tasks.common import default_args


@dag(
    dag_id="globalcart_simulate_shop",
    schedule=timedelta(minutes=15),
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    # Local mode starts the project's DAGs unpaused; this one writes to the shop, so a person turns it on.
    is_paused_upon_creation=True,
    tags=["globalcart", "source", "demo"],
    doc_md=__doc__,
    default_args=default_args(retries=1),
    params={
        "steps": Param(1, type="integer", minimum=1, maximum=100, description="Steps to simulate."),
        "hours": Param(6, type="number", exclusiveMinimum=0, maximum=168, description="Simulated hours per step."),
    },
)
def globalcart_simulate_shop():
    @task
    def simulate_shop(**context) -> list[str]:
        from globalcart.tasks import shop

        return shop.simulate_shop(context)

    simulate_shop()


# It writes to the shop's database: a deployment that mounts dags/ gets it only when it asks.
if os.environ.get("GLOBALCART_DEV_DAGS", "").lower() == "true":
    globalcart_simulate_shop()
