"""The in-process runners run the DAGs' steps: the same names, in an order the DAG's graph allows.

``globalcart.pipelines.*.STEPS`` is the one list of steps; each DAG task of the same name
calls it. A task added, renamed or reordered on one side only fails here.
"""

from __future__ import annotations

import pytest

from globalcart.pipelines import analytics, incremental
from tests.support.dags import dag_bag, plain_task_ids

RUNNERS = {
    "globalcart_incremental": [step.name for step in incremental.STEPS],
    "globalcart_analytics": [name for name, _ in analytics.STEPS],
}
# The DAG's setup and teardown around the writes; in-process, the runner holds the same lease.
AROUND = {"globalcart_incremental": incremental.LEASE_TASKS, "globalcart_analytics": ()}


@pytest.mark.parametrize("dag_id", sorted(RUNNERS))
def test_the_runner_runs_every_task_of_the_dag_once(dag_id: str) -> None:
    steps = RUNNERS[dag_id]
    assert len(steps) == len(set(steps)), f"{dag_id}: a step is listed twice"
    assert sorted([*steps, *AROUND[dag_id]]) == sorted(plain_task_ids(dag_bag().dags[dag_id]).values())


@pytest.mark.parametrize("dag_id", sorted(RUNNERS))
def test_the_runner_order_is_one_the_dag_allows(dag_id: str) -> None:
    dag = dag_bag().dags[dag_id]
    position = {name: index for index, name in enumerate(RUNNERS[dag_id])}
    plain = plain_task_ids(dag)
    for task in dag.tasks:
        for downstream in task.downstream_task_ids:
            before, after = plain[task.task_id], plain[downstream]
            if before in position and after in position:
                assert position[before] < position[after], f"{dag_id}: the runner runs {after} before {before}"


def test_the_lease_wraps_every_write() -> None:
    """claim_warehouse comes right after the migrations, release_warehouse after everything, even on failure."""
    dag = dag_bag().dags["globalcart_incremental"]
    claim, release = (dag.get_task(name) for name in incremental.LEASE_TASKS)
    assert claim.is_setup and release.is_teardown
    assert claim.upstream_task_ids == {"apply_migrations"}
    assert {t.task_id for t in dag.tasks} - {"apply_migrations"} <= claim.get_flat_relative_ids(upstream=False) | {
        claim.task_id
    }
    assert release.get_flat_relative_ids(upstream=True) >= {t.task_id for t in dag.tasks} - {release.task_id}


def test_each_python_task_calls_the_step_of_its_name() -> None:
    """The task glue has a function per Python task, named after it (SQL steps run their file directly)."""
    from globalcart.tasks import analytics as analytics_tasks
    from globalcart.tasks import incremental as incremental_tasks

    for dag_id, glue, pipeline in (
        ("globalcart_incremental", incremental_tasks, incremental),
        ("globalcart_analytics", analytics_tasks, analytics),
    ):
        for task in dag_bag().dags[dag_id].tasks:
            if task.task_type == "SQLExecuteQueryOperator":
                continue
            name = plain_task_ids(dag_bag().dags[dag_id])[task.task_id]
            assert callable(getattr(glue, name, None)), f"globalcart.tasks has no {name} for {dag_id}.{task.task_id}"
            if name not in AROUND[dag_id]:
                assert callable(getattr(pipeline, name, None)), f"the pipeline has no step {name}"
