"""Alert emails through Airflow's SMTP connection: task failures and data-quality alerts.

Kept light (no database or pandas imports): DAG files import it when they are parsed.
Recipients come from ``GLOBALCART_ALERT_EMAILS`` (comma-separated); the server,
credentials and sender from the Airflow connection ``GLOBALCART_SMTP_CONN_ID``
(default ``smtp_default``; a ``from_email`` extra, or ``GLOBALCART_ALERT_FROM``).
"""

from __future__ import annotations

import os

from airflow.providers.smtp.notifications.smtp import SmtpNotifier
from airflow.sdk.exceptions import AirflowFailException

SMTP_CONN_ID = os.environ.get("GLOBALCART_SMTP_CONN_ID", "smtp_default")
ALERT_FROM = os.environ.get("GLOBALCART_ALERT_FROM", "GlobalCart 360 <globalcart-alerts@localhost>")


def alert_recipients() -> list[str]:
    addresses = os.environ.get("GLOBALCART_ALERT_EMAILS", "data-team@localhost")
    return [address.strip() for address in addresses.split(",") if address.strip()]


class QualityGateBlocked(AirflowFailException):
    """Critical data-quality checks failed; the data-quality alert has said so already.

    A verdict, not a glitch: Airflow fails the task without retrying (which would only repeat the alert).
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
        if isinstance(context.get("exception"), QualityGateBlocked):
            self.log.info("quality gate blocked the run; its data-quality alert went out already")
            return
        super().notify(context)

    async def async_notify(self, context):
        if isinstance(context.get("exception"), QualityGateBlocked):
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


def send_email(subject: str, html: str) -> None:
    """Send one email to the alert recipients through the Airflow SMTP connection."""
    from airflow.providers.smtp.hooks.smtp import SmtpHook

    with SmtpHook(smtp_conn_id=SMTP_CONN_ID) as hook:
        hook.send_email_smtp(to=alert_recipients(), subject=subject, html_content=html, from_email=ALERT_FROM)
