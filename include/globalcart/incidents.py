"""The incident ledger, ``audit.incidents``: what on-call has been told and is still open.

An alert opens an incident; runs that meet the same fault again find it open with the
same detail and stay quiet; a changed fault (another check fails) updates it and alerts
again; the end of the fault closes it, and its closer sends the "recovered" email.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg

from globalcart import db


@dataclass(frozen=True)
class Incident:
    incident_id: int
    incident_key: str
    detail: dict[str, Any]
    opened_at: datetime
    opened_by_run: str | None
    alerted_at: datetime | None


def report(conn: psycopg.Connection, key: str, detail: dict[str, Any], run_id: str) -> tuple[Incident, bool]:
    """Open the incident of this kind, or find it open; True when on-call must be told (new or changed)."""
    params = {"incident_key": key, "detail": json.dumps(detail, sort_keys=True), "run_id": run_id}
    with db.transaction(conn):
        rows = db.fetch_all(conn, "incidents/select_open_incident.sql", params)
        if not rows:
            (row,) = db.fetch_all(conn, "incidents/open_incident.sql", params)
            return Incident(*row), True
        incident = Incident(*rows[0])
        if incident.detail == detail and incident.alerted_at is not None:
            return incident, False
        changed = {**params, "incident_id": incident.incident_id}
        (row,) = db.fetch_all(conn, "incidents/update_incident_detail.sql", changed)
        return Incident(*row), True


def mark_alerted(conn: psycopg.Connection, incident: Incident) -> None:
    """The alert went out: runs that meet the same fault stay quiet from now on."""
    db.run_sql_step(conn, "incidents/mark_incident_alerted.sql", {"incident_id": incident.incident_id})


def resolve(conn: psycopg.Connection, key: str, run_id: str) -> Incident | None:
    """Close the open incident of this kind; returns it when there was one (its end is news)."""
    with db.transaction(conn):
        rows = db.fetch_all(conn, "incidents/close_incident.sql", {"incident_key": key, "run_id": run_id})
    return Incident(*rows[0]) if rows else None
