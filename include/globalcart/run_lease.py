"""The warehouse's run lease, ``audit.run_lease``: one run writes the warehouse at a time.

A run takes the lease before its first write and gives it back after its last; another
run waits until then, whatever started either (the schedule, a source change, a
backfill, the CLI). A holder that is gone loses the lease to the next run that asks: an
Airflow run that is no longer queued or running (``is_run_alive`` asks Airflow), or an
in-process run whose database session has ended.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

import psycopg

from globalcart import db
from globalcart.errors import GlobalCartError
from globalcart.settings import Database

WAREHOUSE_LEASE = "warehouse"


@dataclass(frozen=True)
class Holder:
    run_id: str
    dag_id: str | None
    backend_pid: int | None
    acquired_at: datetime
    session_alive: bool


def holder(conn: psycopg.Connection) -> Holder | None:
    rows = db.fetch_all(conn, "lease/select_run_lease.sql", {"lease_name": WAREHOUSE_LEASE})
    conn.commit()
    return Holder(*rows[0]) if rows else None


def try_take(
    conn: psycopg.Connection,
    run_id: str,
    *,
    dag_id: str | None = None,
    is_run_alive: Callable[[str, str], bool] = lambda _dag_id, _run_id: True,
) -> Holder | None:
    """Take the lease for ``run_id`` (Airflow's ``dag_id``, or None for this process); returns who else holds it."""
    current = holder(conn)
    stale = None
    if current is not None and current.run_id != run_id:
        alive = current.session_alive if current.dag_id is None else is_run_alive(current.dag_id, current.run_id)
        if alive:
            return current
        stale = current.run_id
    backend_pid = None if dag_id else conn.info.backend_pid
    params = {
        "lease_name": WAREHOUSE_LEASE,
        "run_id": run_id,
        "dag_id": dag_id,
        "backend_pid": backend_pid,
        "stale_holder": stale or run_id,
    }
    db.run_sql_step(conn, "lease/take_run_lease.sql", params)
    now = holder(conn)
    return None if now is not None and now.run_id == run_id else now


def release(conn: psycopg.Connection, run_id: str) -> None:
    db.run_sql_step(conn, "lease/release_run_lease.sql", {"lease_name": WAREHOUSE_LEASE, "run_id": run_id})


@contextmanager
def held(
    warehouse: Database, run_id: str, *, wait_seconds: float = 600, progress: Callable[[str], None] = lambda _: None
) -> Iterator[None]:
    """Hold the lease for an in-process run: its session stays open, so a crash frees the lease."""
    with db.connect(warehouse) as conn:
        deadline = time.monotonic() + wait_seconds
        told = False
        while (other := try_take(conn, run_id)) is not None:
            if time.monotonic() > deadline:
                raise GlobalCartError(
                    f"run {other.run_id} has been writing the warehouse since {other.acquired_at:%H:%M:%S} UTC;"
                    f" waited {wait_seconds:.0f} s for it"
                )
            if not told:
                progress(f"waiting for run {other.run_id}, which is writing the warehouse")
                told = True
            time.sleep(1)
        try:
            yield
        finally:
            release(conn, run_id)
