"""The gate's decision: record it, alert on any failure, block publication on a critical one."""

from __future__ import annotations

import logging
from collections.abc import Callable

import psycopg

from globalcart.marts.publish import record_blocked
from globalcart.quality.alert import GateDecision, enforce
from globalcart.quality.gate import CheckResult

log = logging.getLogger(__name__)


def decide(
    conn: psycopg.Connection,
    run_id: str,
    results: list[CheckResult],
    send_alert: Callable[[str, str], None] | None = None,
    progress: Callable[[str], None] = lambda _: None,
    publication: str = "KPIs",
) -> GateDecision:
    """Raise QualityGateBlocked when a critical check failed, after recording it and sending the alert."""
    decision = GateDecision(run_id, results, publication)
    progress(decision.summary())
    if decision.blocks_publication:
        record_blocked(
            conn,
            run_id,
            [r.name for r in decision.failed_critical],
            [r.name for r in decision.failed_warning],
            publication.lower(),
        )
    enforce(decision, _never_raising(send_alert))
    return decision


def _never_raising(send_alert: Callable[[str, str], None] | None) -> Callable[[str, str], None]:
    """An alert that cannot be sent is logged loudly, but does not change what the gate decided."""
    if send_alert is None:
        from globalcart.notifications import send_email

        send_alert = send_email

    def send(subject: str, html: str) -> None:
        try:
            send_alert(subject, html)
        except Exception as exc:  # any SMTP failure: the decision must still stand
            log.error("could not send the data-quality alert %r: %s", subject, exc)

    return send
