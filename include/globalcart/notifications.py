"""Alert emails to on-call, sent through Airflow's SMTP connection.

Recipients come from ``GLOBALCART_ALERT_EMAILS`` (comma-separated); the server,
credentials and sender from the Airflow connection ``GLOBALCART_SMTP_CONN_ID``
(default ``smtp_default``; a ``from_email`` extra, or ``GLOBALCART_ALERT_FROM``).
Airflow is imported only when an email is sent, so this module stays light.
"""

from __future__ import annotations

import os

SMTP_CONN_ID = os.environ.get("GLOBALCART_SMTP_CONN_ID", "smtp_default")
ALERT_FROM = os.environ.get("GLOBALCART_ALERT_FROM", "GlobalCart 360 <globalcart-alerts@localhost>")


def alert_recipients() -> list[str]:
    addresses = os.environ.get("GLOBALCART_ALERT_EMAILS", "data-team@localhost")
    return [address.strip() for address in addresses.split(",") if address.strip()]


def send_email(subject: str, html: str) -> None:
    """Send one email to the alert recipients through the Airflow SMTP connection."""
    from airflow.providers.smtp.hooks.smtp import SmtpHook

    with SmtpHook(smtp_conn_id=SMTP_CONN_ID) as hook:
        hook.send_email_smtp(to=alert_recipients(), subject=subject, html_content=html, from_email=ALERT_FROM)
