"""What Airflow's triggerer watches for GlobalCart: new changes in the source, and stale publications.

Every few seconds it reads the newest ``updated_at`` of each source table (one index
lookup per table) and compares it with the warehouse's watermark for that table.
When some table holds rows newer than what the warehouse has loaded, and that newest
change is one it has not announced yet, it fires: the asset ``globalcart_source_changes``
gets an event and the scheduler starts ``globalcart_incremental``. A busy source thus
gets one run after another, an idle one none, and the schedule stays as a fallback.

``FreshnessTrigger`` never fires: once a minute it checks how old the KPI and analytics
publications are and alerts on-call, once, when one is older than its limit. It runs in the
triggerer, so it alerts whatever keeps runs from publishing: failed tasks, a blocked gate,
or runs that never start (workers down, the execution API unreachable).

The DAG file builds the triggers when it is parsed: this module imports nothing heavy at
module level.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from airflow.triggers.base import BaseEventTrigger, TriggerEvent

from globalcart.settings import FRESHNESS_MINUTES, SOURCE_CONN_ID, WAREHOUSE_CONN_ID

log = logging.getLogger(__name__)


def pending_change(newest: dict[str, datetime | None], watermarks: dict[str, datetime | None]) -> datetime | None:
    """The newest source change the warehouse has not loaded yet, or None when it is up to date.

    The watermark is inclusive (rows at the watermark are read again), so a table whose newest
    row sits exactly at its watermark has nothing pending.
    """
    pending = [
        changed_at
        for table, changed_at in newest.items()
        if changed_at is not None and (watermarks.get(table) is None or changed_at > watermarks[table])
    ]
    return max(pending, default=None)


class SourceChangeTrigger(BaseEventTrigger):
    """Fires once for each new newest change in the source that the warehouse has not loaded."""

    def __init__(
        self,
        *,
        source_conn_id: str = SOURCE_CONN_ID,
        warehouse_conn_id: str = WAREHOUSE_CONN_ID,
        poll_seconds: float = 3.0,
    ) -> None:
        super().__init__()
        self.source_conn_id = source_conn_id
        self.warehouse_conn_id = warehouse_conn_id
        self.poll_seconds = poll_seconds

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {
                "source_conn_id": self.source_conn_id,
                "warehouse_conn_id": self.warehouse_conn_id,
                "poll_seconds": self.poll_seconds,
            },
        )

    async def run(self) -> AsyncIterator[TriggerEvent]:
        watcher = _Watcher(self.source_conn_id, self.warehouse_conn_id)
        announced: datetime | None = None
        try:
            while True:
                try:
                    change = await asyncio.to_thread(watcher.pending_change)
                except Exception as exc:  # a database away for a moment: say so, keep watching
                    log.warning("source watch: %s", str(exc).strip().splitlines()[-1] if str(exc).strip() else exc)
                    watcher.close()
                    change = None
                if change is not None and (announced is None or change > announced):
                    announced = change
                    log.info("source watch: rows changed up to %s are not in the warehouse yet", change.isoformat())
                    yield TriggerEvent({"newest_change": change.isoformat()})
                await asyncio.sleep(self.poll_seconds)
        finally:
            watcher.close()


class _Watcher:
    """The two connections the trigger polls with, kept open between polls."""

    def __init__(self, source_conn_id: str, warehouse_conn_id: str) -> None:
        self.conn_ids = (source_conn_id, warehouse_conn_id)
        self.conns: list = []

    def _connect(self) -> list:
        from airflow.sdk import BaseHook

        from globalcart import db
        from globalcart.settings import SOURCE, WAREHOUSE

        if not self.conns:
            databases = [
                base.at(BaseHook.get_connection(conn_id).get_uri())
                for base, conn_id in zip((SOURCE, WAREHOUSE), self.conn_ids, strict=True)
            ]
            self.conns = [db.connect(database, autocommit=True) for database in databases]
        return self.conns

    def pending_change(self) -> datetime | None:
        from globalcart import db

        source, warehouse = self._connect()
        import psycopg

        newest = dict(db.fetch_all(source, "extract/select_source_newest.sql"))
        try:
            watermarks = dict(db.fetch_all(warehouse, "staging/select_watermarks.sql"))
        except psycopg.errors.UndefinedTable:  # a warehouse not migrated yet has loaded nothing
            watermarks = {}
        return pending_change(newest, watermarks)

    def close(self) -> None:
        for conn in self.conns:
            try:
                conn.close()
            except Exception:  # closing a broken connection: nothing to keep
                pass
        self.conns = []


class FreshnessTrigger(BaseEventTrigger):
    """Checks the publications' age every ``check_seconds`` and alerts once per stale spell; never fires."""

    def __init__(
        self,
        *,
        warehouse_conn_id: str = WAREHOUSE_CONN_ID,
        limit_minutes: int = FRESHNESS_MINUTES,
        check_seconds: float = 60.0,
    ) -> None:
        super().__init__()
        self.warehouse_conn_id = warehouse_conn_id
        self.limit_minutes = limit_minutes
        self.check_seconds = check_seconds

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {
                "warehouse_conn_id": self.warehouse_conn_id,
                "limit_minutes": self.limit_minutes,
                "check_seconds": self.check_seconds,
            },
        )

    async def run(self) -> AsyncIterator[TriggerEvent]:
        while True:
            try:
                await asyncio.to_thread(check_freshness, self.warehouse_conn_id, self.limit_minutes)
            except Exception as exc:  # the warehouse away: the next check says so again
                log.warning("freshness watch: %s", str(exc).strip().splitlines()[-1] if str(exc).strip() else exc)
            await asyncio.sleep(self.check_seconds)
        yield  # an async generator that never yields an event


def check_freshness(warehouse_conn_id: str, limit_minutes: int) -> list[str]:
    """Alert once for each publication older than the limit; returns those alerted now."""
    from airflow.sdk import BaseHook

    from globalcart import db
    from globalcart.notifications import airflow_links, send_email
    from globalcart.quality.freshness import report_stale
    from globalcart.settings import WAREHOUSE

    warehouse = WAREHOUSE.at(BaseHook.get_connection(warehouse_conn_id).get_uri())
    with db.connect(warehouse) as conn:
        return report_stale(conn, limit_minutes, send_email, airflow_links())
