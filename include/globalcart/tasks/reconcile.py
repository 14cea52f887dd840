"""The task of ``globalcart_reconcile``: it builds the reconciliation from Airflow's context and calls its step.

The step is ``globalcart.pipelines.reconcile.reconcile_mirror``; it holds the warehouse's run
lease while it compares, as an in-process run does (its session stays open for the task).
"""

from __future__ import annotations

from typing import Any

from globalcart.notifications import airflow_links
from globalcart.pipelines import reconcile
from globalcart.settings import SOURCE, WAREHOUSE
from globalcart.tasks.common import airflow_database, say

Context = dict[str, Any]


def reconcile_mirror(context: Context) -> dict[str, int]:
    """Compare the mirror with the source; the drifted keys per table (the alert email went already)."""
    dag_run = context["dag_run"]
    task_id = context["ti"].task_id if context.get("ti") else None
    summary = reconcile.reconcile_mirror(
        f"reconcile__{dag_run.run_id}",
        source=airflow_database(SOURCE),
        warehouse=airflow_database(WAREHOUSE),
        bucket_size=int(context["params"].get("bucket_size") or 1000),
        progress=say,
        links=airflow_links(dag_run.dag_id, dag_run.run_id, task_id),
    )
    return {table.table_name: len(table.keys) for table in summary.drifted}
