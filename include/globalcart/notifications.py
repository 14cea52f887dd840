"""Alert emails to on-call, sent through Airflow's SMTP connection, and the links they carry.

Recipients come from ``GLOBALCART_ALERT_EMAILS`` (comma-separated); the server,
credentials and sender from the Airflow connection ``GLOBALCART_SMTP_CONN_ID``
(default ``smtp_default``; a ``from_email`` extra, or ``GLOBALCART_ALERT_FROM``).
Every email has a plain-text part and an HTML part. Airflow is imported only when
an email is sent, so this module stays light.
"""

from __future__ import annotations

import email.policy
import os
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import quote

SMTP_CONN_ID = os.environ.get("GLOBALCART_SMTP_CONN_ID", "smtp_default")
ALERT_FROM = os.environ.get("GLOBALCART_ALERT_FROM", "GlobalCart 360 <globalcart-alerts@localhost>")


def alert_recipients() -> list[str]:
    addresses = os.environ.get("GLOBALCART_ALERT_EMAILS", "data-team@localhost")
    return [address.strip() for address in addresses.split(",") if address.strip()]


@dataclass(frozen=True)
class Links:
    """Where a reader of an alert goes next: the Airflow run and task log, Data Docs, the runbook.

    Built from Airflow's ``[api] base_url``; a run outside Airflow (the CLI) has no run or log link.
    """

    base_url: str | None = None
    dag_id: str | None = None
    run_id: str | None = None
    task_id: str | None = None

    @property
    def run(self) -> str | None:
        if not (self.base_url and self.dag_id and self.run_id):
            return None
        return f"{self.base_url}/dags/{quote(self.dag_id)}/runs/{quote(self.run_id, safe='')}"

    @property
    def task_log(self) -> str | None:
        if not (self.run and self.task_id):
            return None
        return f"{self.run}/tasks/{quote(self.task_id)}"

    def data_docs(self, index_path: str | None) -> str | None:
        """The Data Docs page over HTTP (the project's Airflow plugin serves them), else the file."""
        from globalcart.settings import DATA_DOCS_DIR

        if not index_path:
            return None
        if self.base_url:
            try:
                relative = os.path.relpath(index_path, DATA_DOCS_DIR)
            except ValueError:
                relative = None
            if relative and not relative.startswith(".."):
                # The run's page lists its validation pages (Great Expectations' own index needs the internet).
                return f"{self.base_url}/globalcart/data-docs/{quote(os.path.dirname(relative))}/"
        return index_path

    def docs(self, page: str, section: str | None = None) -> str:
        """A page of the project's documentation: ``GLOBALCART_DOCS_URL``, else the plugin's copy."""
        root = os.environ.get("GLOBALCART_DOCS_URL") or (f"{self.base_url}/globalcart/docs" if self.base_url else None)
        anchor = f"#{section}" if section else ""
        if root:
            return f"{root.rstrip('/')}/{page}{anchor}"
        return f"docs/{page}.md{anchor}"


NO_LINKS = Links()


def airflow_links(dag_id: str | None = None, run_id: str | None = None, task_id: str | None = None) -> Links:
    """Links for a task running under Airflow, from its ``[api] base_url``."""
    from airflow.configuration import conf

    base_url = (conf.get("api", "base_url", fallback="") or "").rstrip("/") or None
    return Links(base_url, dag_id, run_id, task_id)


# Headers are not folded (RFC 5322 allows 998 characters a line): some readers keep a folded
# subject's leading blank, and on-call searches mail by subject.
POLICY = email.policy.SMTP.clone(max_line_length=998)


def message(subject: str, html: str, text: str) -> EmailMessage:
    email = EmailMessage(policy=POLICY)
    email["Subject"] = subject
    email["From"] = ALERT_FROM
    email["To"] = ", ".join(alert_recipients())
    email["Date"] = formatdate(localtime=False)
    email["Message-ID"] = make_msgid(domain="globalcart.local")
    email.set_content(text)
    email.add_alternative(html, subtype="html")
    return email


def send_email(subject: str, html: str, text: str | None = None) -> None:
    """Send one email (plain text and HTML) to the alert recipients through the Airflow SMTP connection."""
    from airflow.providers.smtp.hooks.smtp import SmtpHook

    email = message(subject, html, text or subject)
    with SmtpHook(smtp_conn_id=SMTP_CONN_ID) as hook:
        # The hook logs in (TLS, credentials, OAuth2) as its connection says; it has no public send of a
        # prepared multipart message, so the message goes through its logged-in client.
        client = hook._smtp_client
        for attempt in range(hook.smtp_retry_limit + 1):
            try:
                client.send_message(email)
                return
            except Exception:
                if attempt == hook.smtp_retry_limit:
                    raise
