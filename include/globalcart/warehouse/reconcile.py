"""Reconcile the mirror with the source: find the keys whose rows differ, record them, have them re-extracted.

The watermark sees only rows whose ``updated_at`` moved forward. A writer that breaks that
contract (a fix that leaves ``updated_at`` alone, an ``updated_at`` set backwards, a row
inserted with an old one, a hard delete) leaves the mirror different from the source with no
run ever noticing. This finds those differences cheaply, table by table:

1. On each side (the source and the warehouse may be separate servers), one scan per table
   sums a 64-bit hash of every row's contract columns per bucket of ``bucket_size`` keys
   (the first key column's range when it is a number, else one bucket), with the same casts
   on both sides so both print a row alike.
2. Only buckets whose row counts or hash sums differ are read again, key by key, on both sides.
3. A key found on one side only, or with another hash, is drift: ``missing_in_mirror``,
   ``deleted_in_source`` or ``differs``. A source row changed at or after its table's
   watermark is not drift: the next incremental run loads it anyway.

Every drifted key is recorded in ``audit.mirror_drift``. The next incremental extraction
re-reads those keys from the source whatever their ``updated_at`` (``staging.repair_keys``),
the merge lets them win over the mirror's version and deletes the mirror rows (and their
facts) the source no longer holds, and marks them healed; the builds and KPIs follow as for
any merged row.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import psycopg

from globalcart import db
from globalcart.settings import Database
from globalcart.warehouse.steps import SOURCE_TABLES

BUCKET_SIZE = 1000
KINDS = ("missing_in_mirror", "deleted_in_source", "differs")


@dataclass
class TableDrift:
    table_name: str
    buckets: int = 0
    differing_buckets: int = 0
    keys: dict[str, str] = field(default_factory=dict)  # source key -> kind
    seconds: float = 0.0

    def counts(self) -> dict[str, int]:
        return {kind: sum(1 for k in self.keys.values() if k == kind) for kind in KINDS}


@dataclass
class ReconcileSummary:
    reconcile_id: str
    tables: list[TableDrift] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def drifted(self) -> list[TableDrift]:
        return [table for table in self.tables if table.keys]

    @property
    def keys_differing(self) -> int:
        return sum(len(table.keys) for table in self.tables)

    def describe(self) -> str:
        buckets = sum(table.buckets for table in self.tables)
        differing = sum(table.differing_buckets for table in self.tables)
        head = (
            f"reconciliation {self.reconcile_id}: {len(self.tables)} tables, {buckets:,} buckets compared,"
            f" {differing:,} differing, {self.keys_differing:,} keys drifted, in {self.seconds:.2f} s"
        )
        lines = [head]
        for table in self.drifted:
            kinds = ", ".join(f"{count:,} {kind.replace('_', ' ')}" for kind, count in table.counts().items() if count)
            lines.append(f"  {table.table_name}: {kinds}")
        return "\n".join(lines)


def _session(conn: psycopg.Connection) -> None:
    # Both sides print rows alike only under the same settings.
    conn.execute("set local datestyle = 'ISO, YMD'")
    conn.execute("set local time zone 'UTC'")
    conn.execute("set local extra_float_digits = 1")


def reconcile(
    source: Database,
    warehouse: Database,
    reconcile_id: str,
    *,
    tables: Sequence[str] = SOURCE_TABLES,
    bucket_size: int = BUCKET_SIZE,
    progress: Callable[[str], None] = lambda _: None,
) -> ReconcileSummary:
    """Compare every table of the mirror with the source and record the drifted keys in audit.mirror_drift."""
    started = time.perf_counter()
    summary = ReconcileSummary(reconcile_id)
    with db.connect(warehouse) as wh, db.connect(source) as src:
        src.isolation_level = wh.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        src.read_only = True
        _session(src)
        _session(wh)
        watermarks = dict(db.fetch_all(wh, "staging/select_watermarks.sql"))
        for table in tables:
            table_started = time.perf_counter()
            drift = _compare_table(src, wh, table, bucket_size, watermarks.get(table))
            drift.seconds = time.perf_counter() - table_started
            summary.tables.append(drift)
            progress(
                f"reconciled {table}: {drift.buckets:,} buckets, {drift.differing_buckets:,} differing,"
                f" {len(drift.keys):,} keys drifted in {drift.seconds:.2f} s"
            )
        src.rollback()
        summary.seconds = time.perf_counter() - started
        wh.execute(
            db.sql_text("reconcile/record_reconcile_run.sql"),
            {
                "reconcile_id": reconcile_id,
                "tables_checked": len(summary.tables),
                "buckets_compared": sum(t.buckets for t in summary.tables),
                "buckets_differing": sum(t.differing_buckets for t in summary.tables),
                "keys_differing": summary.keys_differing,
            },
        )
        for drift in summary.drifted:
            keys = sorted(drift.keys)
            wh.execute(
                db.sql_text("reconcile/record_mirror_drift.sql"),
                {
                    "reconcile_id": reconcile_id,
                    "table_name": drift.table_name,
                    "keys": keys,
                    "kinds": [drift.keys[key] for key in keys],
                },
            )
        wh.commit()
    return summary


def _compare_table(
    src: psycopg.Connection, wh: psycopg.Connection, table: str, bucket_size: int, watermark
) -> TableDrift:
    params = {"bucket_size": bucket_size}
    source_buckets = {
        b: (n, h) for b, n, h in db.fetch_all(src, f"reconcile/select_source_buckets_{table}.sql", params)
    }
    mirror_buckets = {b: (n, h) for b, n, h in db.fetch_all(wh, f"reconcile/select_mirror_buckets_{table}.sql", params)}
    buckets = sorted(set(source_buckets) | set(mirror_buckets))
    differing = [b for b in buckets if source_buckets.get(b) != mirror_buckets.get(b)]
    drift = TableDrift(table, buckets=len(buckets), differing_buckets=len(differing))
    if not differing:
        return drift
    params = {"bucket_size": bucket_size, "buckets": differing}
    source_rows = {
        k: (h, u) for k, h, u in db.fetch_all(src, f"reconcile/select_source_key_hashes_{table}.sql", params)
    }
    mirror_rows = {k: h for k, h, _ in db.fetch_all(wh, f"reconcile/select_mirror_key_hashes_{table}.sql", params)}
    for key in sorted(set(source_rows) | set(mirror_rows)):
        if key in source_rows:
            row_hash, updated_at = source_rows[key]
            if watermark is None or updated_at >= watermark:
                continue  # changed since the last extraction: the next run loads it
            if key not in mirror_rows:
                drift.keys[key] = "missing_in_mirror"
            elif mirror_rows[key] != row_hash:
                drift.keys[key] = "differs"
        else:
            drift.keys[key] = "deleted_in_source"
    return drift


def pending_drift(conn: psycopg.Connection) -> list[tuple]:
    """The drifted keys not healed yet: (table, kind, count, first found)."""
    return db.fetch_all(conn, "reconcile/select_pending_drift_counts.sql")
