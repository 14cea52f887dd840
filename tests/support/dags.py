"""The project's DAGs as Airflow parses them, once per test session."""

from __future__ import annotations

from functools import cache
from pathlib import Path

DAGS_DIR = Path(__file__).resolve().parents[2] / "dags"


@cache
def dag_bag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS_DIR))


def plain_task_ids(dag) -> dict[str, str]:
    """Task id -> the name without its task group (``merge_mirror.merge_mirror_orders`` -> ``merge_mirror_orders``)."""
    return {task.task_id: task.task_id.rsplit(".", 1)[-1] for task in dag.tasks}
