"""The pieces every GlobalCart DAG shares: the star-schema asset, default arguments, the failure
alert, the quality-gate task group, and the databases as Airflow's connections describe them.

DAG files import this module when they are parsed, so it imports nothing heavy.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from datetime import timedelta

from airflow.sdk import Asset, BaseNotifier, TaskGroup
from airflow.sdk.exceptions import AirflowFailException

from globalcart.notifications import airflow_links, send_email
from globalcart.settings import Database

# What the tasks report goes through the task logger: it reads in order in the Airflow UI
# (printed lines would arrive after "Done", in the collapsed "Post Execute" group).
task_log = logging.getLogger("globalcart.tasks")


def say(line: str) -> None:
    task_log.info("%s", line)


# Published by globalcart_incremental's last task once the KPIs are published; the analytics run on it.
WAREHOUSE_REFRESHED = Asset("globalcart_star_schema")


class GateBlocked(AirflowFailException):
    """Critical data-quality checks failed; the data-quality alert has said so already.

    Airflow fails the task without retrying (a retry would only repeat the alert).
    """


TASK_FAILURE_SUBJECT = "[GlobalCart 360] Task failed: {{ ti.dag_id }}.{{ ti.task_id }} (run {{ run_id }})"
TASK_FAILURE_TEXT = """{{ ti.dag_id }}.{{ ti.task_id }} failed in run {{ run_id }} (try {{ ti.try_number }}).

Error: {{ exception }}

Task log: {{ ti.log_url }}
What to do, task by task: the DAG's documentation in Airflow ("When it fails"), and the runbook: {{ runbook }}
Each step is one transaction or idempotent, and runs never overlap: once the cause is fixed, clear the
failed task or trigger a new run.
"""
TASK_FAILURE_HTML = """
<p><b>{{ ti.dag_id }}.{{ ti.task_id }}</b> failed in run <code>{{ run_id }}</code>
(try {{ ti.try_number }}).</p>
<p>Error: <code>{{ exception | e }}</code></p>
<p>Task log: <a href="{{ ti.log_url }}">{{ ti.log_url }}</a></p>
<p>What to do, task by task: the DAG's documentation in Airflow ("When it fails"), and
<a href="{{ runbook }}">the runbook</a>. Each step is one transaction or idempotent, and runs never
overlap: once the cause is fixed, clear the failed task or trigger a new run.</p>
"""


class TaskFailureNotifier(BaseNotifier):
    """Emails on-call when a task fails (plain text and HTML), except a blocked quality gate, which
    sends its own alert."""

    template_fields = ("subject", "html_content", "text_content", "runbook")

    def __init__(self) -> None:
        super().__init__()
        self.subject = TASK_FAILURE_SUBJECT
        self.html_content = TASK_FAILURE_HTML
        self.text_content = TASK_FAILURE_TEXT
        self.runbook = "{{ runbook_url }}"

    def _update_context(self, context):
        context["runbook_url"] = airflow_links().docs("runbook", "when-a-run-fails")
        return super()._update_context(context)

    def notify(self, context) -> None:
        if isinstance(context.get("exception"), GateBlocked):
            self.log.info("quality gate blocked the run; its data-quality alert went out already")
            return
        send_email(self.subject, self.html_content, self.text_content)


def task_failure_notifier() -> TaskFailureNotifier:
    return TaskFailureNotifier()


RETRY_DELAY = timedelta(seconds=int(os.environ.get("GLOBALCART_RETRY_DELAY_SECONDS", "60")))


def default_args(retries: int) -> dict:
    """Owner, retries and the failure alert, the same for every task of every GlobalCart DAG."""
    return {
        "owner": "globalcart",
        "retries": retries,
        "retry_delay": RETRY_DELAY,
        "on_failure_callback": task_failure_notifier(),
    }


def quality_gate(run_checks: Callable, enforce_gate: Callable) -> TaskGroup:
    """The gate as the graph shows it: the checks (recorded, never failing on a failed check), then the decision."""
    with TaskGroup("quality_gate") as group:
        run_checks() >> enforce_gate()
    return group


def is_run_alive(dag_id: str, run_id: str) -> bool:
    """Whether an Airflow run is still queued or running (asked through the task's execution API)."""
    from airflow.sdk.execution_time.task_runner import RuntimeTaskInstance

    return RuntimeTaskInstance.get_dagrun_state(dag_id, run_id) in ("queued", "running")


def airflow_database(database: Database) -> Database:
    """The database as Airflow's connection of the same id describes it (env, UI or secrets backend)."""
    from airflow.sdk import BaseHook

    return database.at(BaseHook.get_connection(database.conn_id).get_uri())
