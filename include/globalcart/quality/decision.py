"""The gate's decision on a run's check results: record it, alert on any failure, block on a critical one.

A failed critical check blocks publication (``QualityGateBlocked``); a failed
warning only alerts. The decision is recorded in the publication ledger before
anyone is told, and an alert that cannot be sent never changes it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import psycopg

from globalcart import incidents, publications
from globalcart.errors import QualityGateBlocked
from globalcart.notifications import NO_LINKS, Links
from globalcart.quality import alert
from globalcart.quality.gate import CheckResult

log = logging.getLogger(__name__)

SendAlert = Callable[[str, str, str], None]  # (subject, html, text)


@dataclass(frozen=True)
class GateDecision:
    run_id: str
    results: list[CheckResult]
    publication: str = "KPIs"  # what the gate guards: "KPIs" or "analytics"

    @property
    def failed_critical(self) -> list[CheckResult]:
        return [r for r in self.results if r.failed and r.severity == "critical"]

    @property
    def failed_warning(self) -> list[CheckResult]:
        return [r for r in self.results if r.failed and r.severity == "warning"]

    @property
    def blocks_publication(self) -> bool:
        return bool(self.failed_critical)

    @property
    def needs_alert(self) -> bool:
        return bool(self.failed_critical or self.failed_warning)

    def summary(self) -> str:
        passed = sum(1 for r in self.results if r.success)
        verdict = "publication BLOCKED" if self.blocks_publication else "publication allowed"
        return (
            f"quality gate for run {self.run_id}: {passed}/{len(self.results)} checks passed, "
            f"{len(self.failed_critical)} critical and {len(self.failed_warning)} warning failed; {verdict}"
        )


def decide(
    conn: psycopg.Connection,
    run_id: str,
    results: list[CheckResult],
    send_alert: SendAlert | None = None,
    progress: Callable[[str], None] = lambda _: None,
    publication: str = "KPIs",
    links: Links = NO_LINKS,
) -> GateDecision:
    """Record the decision and alert; raise QualityGateBlocked when a critical check failed.

    A fault alerts once: while the same checks keep failing, later runs record their verdict and
    stay quiet; when every check passes again, a "recovered" email closes the incident.
    ``send_alert(subject, html, text)`` defaults to an email through Airflow's SMTP connection.
    """
    decision = GateDecision(run_id, results, publication)
    progress(decision.summary())
    failed_critical = [r.name for r in decision.failed_critical]
    failed_warning = [r.name for r in decision.failed_warning]
    if decision.blocks_publication:
        publications.record_blocked(conn, run_id, failed_critical, failed_warning, publication.lower())
    key = f"quality_gate:{publication.lower()}"
    if decision.needs_alert:
        incident, news = incidents.report(conn, key, {"critical": failed_critical, "warning": failed_warning}, run_id)
        if news:
            if _send_without_raising(send_alert, alert.gate_alert(decision, links)):
                incidents.mark_alerted(conn, incident)
        else:
            progress(
                f"the same checks have failed since {incident.opened_at:%Y-%m-%d %H:%M} UTC and on-call was told"
                f" then: no new alert"
            )
    else:
        closed = incidents.resolve(conn, key, run_id)
        if closed is not None:
            before = closed.detail.get("critical", []) + closed.detail.get("warning", [])
            _send_without_raising(send_alert, alert.gate_recovered(decision, closed.opened_at, before, links))
    if decision.blocks_publication:
        names = ", ".join(failed_critical)
        raise QualityGateBlocked(f"critical data-quality checks failed, {decision.publication} not published: {names}")
    return decision


def _send_without_raising(send_alert: SendAlert | None, email: alert.Email) -> bool:
    """Send; an alert that cannot be sent is logged loudly, but does not change what the gate decided."""
    if send_alert is None:
        from globalcart.notifications import send_email as send_alert
    try:
        send_alert(email.subject, email.html, email.text)
    except Exception as exc:  # any SMTP failure: the decision must still stand
        log.error("could not send the data-quality alert %r: %s", email.subject, exc)
        return False
    return True
