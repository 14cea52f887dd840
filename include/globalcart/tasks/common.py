"""The pieces every GlobalCart DAG shares: the star-schema asset, default arguments, the failure
alert, the quality-gate task group, and the databases as Airflow's connections describe them.

DAG files import this module when they are parsed, so it imports nothing heavy.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from airflow.providers.smtp.notifications.smtp import SmtpNotifier
from airflow.sdk import Asset, TaskGroup
from airflow.sdk.exceptions import AirflowFailException

from globalcart.notifications import ALERT_FROM, SMTP_CONN_ID, alert_recipients
from globalcart.settings import Database

# Published by globalcart_incremental's last task once the KPIs are published; the analytics run on it.
WAREHOUSE_REFRESHED = Asset("globalcart_star_schema")


class GateBlocked(AirflowFailException):
    """Critical data-quality checks failed; the data-quality alert has said so already.

    Airflow fails the task without retrying (a retry would only repeat the alert).
    """


TASK_FAILURE_SUBJECT = "[GlobalCart 360] Task failed: {{ ti.dag_id }}.{{ ti.task_id }} (run {{ run_id }})"
TASK_FAILURE_BODY = """
<p><b>{{ ti.dag_id }}.{{ ti.task_id }}</b> failed in run <code>{{ run_id }}</code>
(try {{ ti.try_number }}).</p>
<p>Error: <code>{{ exception | e }}</code></p>
<p>Log: <a href="{{ ti.log_url }}">{{ ti.log_url }}</a></p>
<p>What to do: the DAG's documentation in Airflow ("When it fails") says, task by task.
Every task is one transaction or idempotent, so clearing the task after fixing the cause is safe.</p>
"""


class TaskFailureNotifier(SmtpNotifier):
    """Emails on-call when a task fails, except a blocked quality gate, which sends its own alert."""

    def notify(self, context):
        if isinstance(context.get("exception"), GateBlocked):
            self.log.info("quality gate blocked the run; its data-quality alert went out already")
            return
        super().notify(context)

    async def async_notify(self, context):
        if isinstance(context.get("exception"), GateBlocked):
            return
        await super().async_notify(context)


def task_failure_notifier() -> TaskFailureNotifier:
    return TaskFailureNotifier(
        to=alert_recipients(),
        from_email=ALERT_FROM,
        subject=TASK_FAILURE_SUBJECT,
        html_content=TASK_FAILURE_BODY,
        smtp_conn_id=SMTP_CONN_ID,
    )


def default_args(retries: int) -> dict:
    """Owner, retries and the failure alert, the same for every task of every GlobalCart DAG."""
    return {
        "owner": "globalcart",
        "retries": retries,
        "retry_delay": timedelta(minutes=1),
        "on_failure_callback": task_failure_notifier(),
    }


def quality_gate(run_checks: Callable, enforce_gate: Callable) -> TaskGroup:
    """The gate as the graph shows it: the checks (recorded, never failing on a failed check), then the decision."""
    with TaskGroup("quality_gate") as group:
        run_checks() >> enforce_gate()
    return group


def airflow_database(database: Database) -> Database:
    """The database as Airflow's connection of the same id describes it (env, UI or secrets backend)."""
    from airflow.sdk import BaseHook

    return database.at(BaseHook.get_connection(database.conn_id).get_uri())
