"""Write-audit-publish for the KPI tables.

``build_candidates`` writes the next KPI tables aside (schema ``candidate``),
recomputing only the days whose facts changed (and their months, from the kept
daily parts); the quality gate audits them;
``publish_candidates`` swaps them (the KPI tables and the daily cube) into ``marts`` in one transaction,
writes the catalog's definitions on them as comments, with a
snapshot of the monthly KPIs before and after, so every run can say which KPIs
it moved. A blocked run leaves ``marts`` exactly as it was.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from globalcart import db, publications
from globalcart.errors import GlobalCartError
from globalcart.marts.catalog import catalog_rows, table_comments

SNAPSHOT_RETENTION_DAYS = int(os.environ.get("GLOBALCART_SNAPSHOT_RETENTION_DAYS", "35"))


@dataclass(frozen=True)
class CandidateBuild:
    run_id: str
    rebuild_all: bool
    first_day: date | None
    last_day: date | None
    dirty_days: int
    daily_rows: int
    monthly_rows: int

    def describe(self) -> str:
        if self.rebuild_all:
            scope = "every month recomputed"
        elif self.first_day is None:
            scope = "nothing changed; the published KPIs carried over"
        else:
            scope = (
                f"{self.dirty_days:,} changed days recomputed from their facts, their months"
                f" between {self.first_day:%Y-%m} and {self.last_day:%Y-%m} from the kept daily parts"
            )
        return f"candidate KPI tables: {self.daily_rows:,} daily and {self.monthly_rows:,} monthly rows ({scope})"


def build_candidates(conn: psycopg.Connection, run_id: str) -> CandidateBuild:
    """Write the candidate KPI tables for this run (one transaction; safe to repeat).

    The transaction reads in one snapshot (repeatable read): the dirty marks and the facts it
    recomputes are the same moment's, so a fact written meanwhile is in this build with its
    marks, or in neither and left for the next run. The dirty days' cube rows are read on a
    second connection in that same snapshot while this one recomputes the KPI day parts.
    """
    previous, conn.isolation_level = conn.isolation_level, psycopg.IsolationLevel.REPEATABLE_READ
    try:
        with db.transaction(conn):
            ((marked_through, rebuild_all, first_day, last_day, dirty_days),) = db.fetch_all(
                conn, "publish/select_kpi_rebuild_range.sql"
            )
            if rebuild_all:
                bounds = ("-infinity", "infinity")
            elif first_day is None:
                bounds = ("infinity", "infinity")  # an empty range: keep every published row
            else:
                bounds = (first_day, last_day)
            params = {"run_id": run_id, "marked_through": marked_through, "first_day": bounds[0], "last_day": bounds[1]}
            if rebuild_all:
                db.execute_statements(conn, "publish/rebuild_candidate_kpi_tables.sql", params)
            else:
                with _cube_days_read_beside(conn, marked_through) as cube_days:
                    db.execute_statements(conn, "publish/build_candidate_kpi_tables.sql", params)
                db.execute_statements(conn, "publish/create_recomputed_cube_days.sql")
                with conn.cursor() as cur, cur.copy(sql.SQL("copy recomputed_cube_days from stdin")) as copy:
                    for row in cube_days.result():
                        copy.write_row(row)
                db.execute_statements(conn, "publish/build_candidate_cube_daily.sql")
            db.execute_statements(
                conn, "publish/build_candidate_cube_rollup.sql", {"first_day": bounds[0], "last_day": bounds[1]}
            )
            ((daily_rows, monthly_rows),) = db.fetch_all(conn, "publish/select_candidate_counts.sql")
    finally:
        conn.isolation_level = previous
    return CandidateBuild(run_id, bool(rebuild_all), first_day, last_day, dirty_days, daily_rows, monthly_rows)


@contextmanager
def _cube_days_read_beside(conn: psycopg.Connection, marked_through: int) -> Iterator[Future]:
    """The dirty days' cube rows, read on a second connection in ``conn``'s snapshot meanwhile.

    ``conn`` must be in a repeatable-read transaction that has read already: its snapshot is
    exported, and the reader imports it, so both see exactly the same facts and marks. The
    rows come back to this process (a day holds a few hundred), because rows the reader wrote
    would be invisible to ``conn``'s older snapshot. The block's own work overlaps the read.
    """
    ((snapshot,),) = conn.execute("select pg_export_snapshot()").fetchall()

    def read() -> list[tuple]:
        with psycopg.connect(conn.info.dsn, password=conn.info.password) as reader:
            reader.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            reader.read_only = True
            with db.transaction(reader):
                reader.execute(sql.SQL("set transaction snapshot {}").format(sql.Literal(snapshot)))
                reader.execute("set local time zone 'UTC'")
                return db.fetch_all(
                    reader, "publish/select_dirty_day_cube_parts.sql", {"marked_through": marked_through}
                )

    # Leaving the pool waits for the reader, so this transaction outlives the snapshot's import.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="cube-days") as pool:
        yield pool.submit(read)


def candidate_run_id(conn: psycopg.Connection) -> str | None:
    ((exists,),) = db.fetch_all(conn, "publish/select_candidate_exists.sql")
    if not exists:
        return None
    ((run_id, *_),) = db.fetch_all(conn, "publish/select_candidate_build.sql")
    return run_id


def publish_candidates(conn: psycopg.Connection, run_id: str, retention_days: int = SNAPSHOT_RETENTION_DAYS) -> bool:
    """Swap the candidate tables into marts; False when this run had already published them."""
    built_by = candidate_run_id(conn)
    if built_by is None:
        already = publications.outcome(conn, run_id) == "published"
        conn.rollback()  # only reads so far: end them, so the connection is left as it came
        if already:
            return False
        raise GlobalCartError(f"run {run_id} has no candidate KPI tables to publish: build them first")
    if built_by != run_id:
        conn.rollback()
        raise GlobalCartError(
            f"the candidate KPI tables were built by run {built_by}, not {run_id}: rebuild them in this run"
        )
    params = {"run_id": run_id, "retention_days": retention_days}
    with db.transaction(conn), conn.cursor() as cur:
        db.execute_statements(conn, "publish/snapshot_kpis.sql", params)
        db.execute_statements(conn, "publish/publish_kpi_tables.sql", params)
        cur.executemany(db.sql_text("publish/record_kpi_catalog_entry.sql"), catalog_rows())
        comment_published_tables(conn)
    return True


def comment_published_tables(conn: psycopg.Connection) -> int:
    """Write the catalog's definitions as comments on marts' tables and columns (in the caller's transaction)."""
    ((written,),) = db.fetch_all(conn, "publish/comment_published_tables.sql", {"definitions": Jsonb(table_comments())})
    return written


@dataclass(frozen=True)
class KpiMove:
    period_start: date
    kpi_name: str
    before: Decimal | None
    after: Decimal | None
    change: Decimal | None
    relative_change: Decimal | None


def kpi_moves(conn: psycopg.Connection, run_id: str) -> list[KpiMove]:
    return [KpiMove(*row) for row in db.fetch_all(conn, "publish/select_kpi_diff.sql", {"run_id": run_id})]


def moves_table(moves: list[KpiMove], limit: int = 12) -> list[str]:
    """The largest moves as a text table (the demo and the task log print it)."""
    if not moves:
        return ["no KPI moved"]
    lines = [f"{'month':<9}{'KPI':<30}{'before':>16}{'after':>16}{'change':>10}"]
    for move in moves[:limit]:
        relative = "new" if move.relative_change is None else f"{float(move.relative_change):+.2%}"
        lines.append(
            f"{move.period_start:%Y-%m}  {move.kpi_name:<30}{_number(move.before):>16}{_number(move.after):>16}"
            f"{relative:>10}"
        )
    if len(moves) > limit:
        lines.append(f"... and {len(moves) - limit} more (audit.kpi_snapshot_diff)")
    return lines


def _number(value: Decimal | None) -> str:
    if value is None:
        return "-"
    if value == value.to_integral_value() and abs(value) >= 1:
        return f"{value:,.0f}"
    return f"{value:,.4f}" if abs(value) < 10 else f"{value:,.2f}"
