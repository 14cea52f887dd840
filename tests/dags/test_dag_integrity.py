"""Team rules for every DAG file, checked on the real DagBag.

Parsing must be cheap and side-effect free: the scheduler parses these files
every few seconds, so a DAG file that opens a connection, runs a query or imports
pandas slows down every Airflow component.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest

DAGS_DIR = Path(__file__).resolve().parents[2] / "dags"
DAG_FILES = sorted(DAGS_DIR.glob("*.py"))
HEAVY_MODULES = ("pandas", "statsmodels", "great_expectations", "psycopg", "numpy")


@pytest.fixture(scope="module")
def dag_bag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS_DIR))


def test_dag_files_exist() -> None:
    assert DAG_FILES, f"no DAG files in {DAGS_DIR}"


def test_no_import_errors(dag_bag) -> None:
    assert dag_bag.import_errors == {}


def test_every_file_defines_a_dag(dag_bag) -> None:
    files_with_dags = {Path(dag.fileloc).name for dag in dag_bag.dags.values()}
    assert files_with_dags == {path.name for path in DAG_FILES}


@pytest.mark.parametrize("dag_file", DAG_FILES, ids=lambda p: p.name)
def test_parsing_opens_no_connection_and_runs_no_query(dag_file: Path) -> None:
    import psycopg
    from airflow.dag_processing.dagbag import DagBag
    from airflow.sdk import BaseHook

    with (
        mock.patch.object(BaseHook, "get_connection") as get_connection,
        mock.patch.object(psycopg, "connect") as connect,
        mock.patch("airflow.sdk.Variable.get") as variable_get,
    ):
        bag = DagBag(dag_folder=str(dag_file))
    assert bag.import_errors == {}
    assert bag.dags, f"{dag_file.name} defines no DAG"
    assert get_connection.call_count == 0
    assert connect.call_count == 0
    assert variable_get.call_count == 0


@pytest.mark.parametrize("dag_file", DAG_FILES, ids=lambda p: p.name)
def test_parsing_imports_no_heavy_module(dag_file: Path) -> None:
    """Import the DAG file in a fresh interpreter and list what it pulled in."""
    probe = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('dag_under_test', {str(dag_file)!r})\n"
        "module = importlib.util.module_from_spec(spec)\n"
        "spec.loader.exec_module(module)\n"
        f"print('heavy modules:', ','.join(m for m in {HEAVY_MODULES!r} if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    (line,) = [line for line in result.stdout.splitlines() if line.startswith("heavy modules:")]
    assert line == "heavy modules: "


def test_every_dag_follows_the_team_rules(dag_bag) -> None:
    for dag_id, dag in dag_bag.dags.items():
        assert dag_id.startswith("globalcart_"), dag_id
        assert dag.doc_md and "When it fails" in dag.doc_md, f"{dag_id}: doc_md needs a 'When it fails' section"
        assert "globalcart" in dag.tags, dag_id
        assert dag.max_active_runs == 1, dag_id
        for task in dag.tasks:
            assert task.owner == "globalcart", f"{dag_id}.{task.task_id}"
            assert task.retries >= 1, f"{dag_id}.{task.task_id} has no retries"
            assert task.on_failure_callback, f"{dag_id}.{task.task_id} alerts no one when it fails"


def test_task_names_in_doc_md_render_as_code(dag_bag) -> None:
    """Underscores in a task name inside *emphasis* render as italics ("extract_changed rows"): use code spans."""
    from markdown_it import MarkdownIt

    for dag_id, dag in dag_bag.dags.items():
        rendered = MarkdownIt("commonmark").render(dag.doc_md)
        for task in dag.tasks:
            name = task.task_id.rsplit(".", 1)[-1]
            if name in dag.doc_md:
                assert f"<code>{name}" in rendered or f".{name}</code>" in rendered, f"{dag_id}: {name} not in code"
        broken = [text for text in re.findall(r"<em>(.*?)</em>", rendered, flags=re.S) if "_" in text]
        assert not broken, f"{dag_id}: emphasis around names with underscores: {broken}"
