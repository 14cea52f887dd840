"""The publication ledger, ``audit.publications``: one row per run that reached a quality gate.

The KPIs and the analytics both record here whether a run's tables were published
or blocked, and by which checks. A publication's own swap writes its ``published``
row in the same transaction as the swap (``publish_kpi_tables.sql``,
``publish_analytics_tables.sql``); a blocked gate writes its row here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import psycopg

from globalcart import db

KPIS = "kpis"
ANALYTICS = "analytics"


@dataclass(frozen=True)
class Publication:
    run_id: str
    decided_at: datetime


def record_blocked(
    conn: psycopg.Connection,
    run_id: str,
    failed_critical: list[str],
    failed_warning: list[str],
    publication: str = KPIS,
) -> None:
    """Record that the gate blocked this run's publication, and why (one transaction)."""
    params = {
        "run_id": run_id,
        "outcome": "blocked",
        "failed_critical": failed_critical,
        "failed_warning": failed_warning,
        "publication": publication,
    }
    with db.transaction(conn):
        db.run_sql_file(conn, "publications/record_blocked_publication.sql", params)


def outcome(conn: psycopg.Connection, run_id: str) -> str | None:
    """'published', 'blocked', or None when the run has not reached a gate."""
    rows = db.fetch_all(conn, "publications/select_publication.sql", {"run_id": run_id})
    return rows[0][0] if rows else None


def last_published(conn: psycopg.Connection, publication: str = KPIS) -> Publication | None:
    """The newest run whose tables of this kind were published."""
    rows = db.fetch_all(conn, "publications/select_last_publication.sql", {"publication": publication})
    return Publication(*rows[0]) if rows else None


@dataclass(frozen=True)
class Decision:
    run_id: str
    outcome: str  # published or blocked
    failed_critical: list[str]
    decided_at: datetime


@dataclass(frozen=True)
class UnpublishedChanges:
    """Fact changes no KPI publication has covered yet (the KPI dirty-day marks still standing)."""

    marks: int
    first_day: date | None
    last_day: date | None
    last_decision: Decision | None

    def __bool__(self) -> bool:
        return self.marks > 0

    @property
    def blocked(self) -> bool:
        """The gate's latest word on the KPIs was to block them."""
        return self.last_decision is not None and self.last_decision.outcome == "blocked"

    def days(self) -> str:
        if self.first_day == self.last_day:
            return f"{self.first_day}"
        return f"days from {self.first_day} to {self.last_day}"


def unpublished_changes(conn: psycopg.Connection) -> UnpublishedChanges:
    """What the facts hold that the last KPI publication did not, as the current transaction sees it."""
    ((marks, first_day, last_day),) = db.fetch_all(conn, "publications/select_unpublished_fact_changes.sql")
    rows = db.fetch_all(conn, "publications/select_last_kpi_decision.sql")
    return UnpublishedChanges(marks, first_day, last_day, Decision(*rows[0]) if rows else None)
