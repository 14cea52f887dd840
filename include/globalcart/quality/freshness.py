"""Freshness: on-call hears when a publication is older than its limit, whatever the reason, once.

``report_stale`` runs every minute in Airflow's triggerer (``globalcart.tasks.source_watch``),
so it sees runs that failed, were blocked or never started alike. The KPIs are stale when
their last publication is older than the limit (the incremental DAG publishes on every
run, empty or not). The analytics run only after a publication changed something, so they
are stale when the KPIs have moved on for longer than the limit without them. A stale
publication opens an incident with one email; the next publication closes it with a
"recovered" email (``publication_resumed``).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import psycopg

from globalcart import db, incidents, publications
from globalcart.notifications import NO_LINKS, Links
from globalcart.quality import alert
from globalcart.quality.decision import SendAlert

log = logging.getLogger(__name__)

WHAT = {publications.KPIS: "KPIs", publications.ANALYTICS: "analytics"}


def incident_key(publication: str) -> str:
    return f"freshness:{publication}"


def stale_since(conn: psycopg.Connection, publication: str, limit_minutes: int, now: datetime) -> tuple[bool, str]:
    """Whether a publication is older than its limit, and why it counts as stale."""
    limit = timedelta(minutes=limit_minutes)
    if publication == publications.ANALYTICS:
        ((behind_since,),) = db.fetch_all(conn, "publications/select_oldest_change_not_analysed.sql")
        conn.rollback()
        if behind_since is None or now - behind_since <= limit:
            return False, ""
        return True, (
            f"The star schema changed at {behind_since:%Y-%m-%d %H:%M} UTC and no analytics run has published since."
        )
    last = publications.last_published(conn, publication)
    if last is not None and now - last.decided_at <= limit:
        return False, ""
    return True, "No run of the DAG has published since: runs failed, were blocked by the gate, or never started."


def report_stale(
    conn: psycopg.Connection,
    limit_minutes: int,
    send_alert: SendAlert,
    links: Links = NO_LINKS,
    now: datetime | None = None,
) -> list[str]:
    """Alert once for each publication older than its limit; returns those alerted now."""
    now = now or datetime.now(UTC)
    alerted = []
    for publication in (publications.KPIS, publications.ANALYTICS):
        stale, reason = stale_since(conn, publication, limit_minutes, now)
        if not stale:
            continue
        incident, news = incidents.report(conn, incident_key(publication), {"limit_minutes": limit_minutes}, "watch")
        if not news:
            continue
        last = publications.last_published(conn, publication)
        email = alert.freshness_alert(
            WHAT[publication], limit_minutes, last.decided_at if last else None, reason, links
        )
        send_alert(email.subject, email.html, email.text)
        incidents.mark_alerted(conn, incident)
        log.warning("%s", email.subject)
        alerted.append(publication)
    return alerted


def publication_resumed(
    conn: psycopg.Connection,
    publication: str,
    run_id: str,
    send_alert: SendAlert | None,
    links: Links = NO_LINKS,
) -> bool:
    """After a publication: close the stale incident, if one is open, with a "recovered" email."""
    closed = incidents.resolve(conn, incident_key(publication), run_id)
    if closed is None:
        return False
    if send_alert is None:
        from globalcart.notifications import send_email as send_alert
    email = alert.freshness_recovered(WHAT.get(publication, publication), closed.opened_at, datetime.now(UTC), links)
    try:
        send_alert(email.subject, email.html, email.text)
    except Exception as exc:  # the publication stands; the email is only news
        log.error("could not send %r: %s", email.subject, exc)
    return True
