"""Extract the rows that changed in the shop into the warehouse's staging tables.

All tables are read in one repeatable-read snapshot of the source, so a run
never sees an order line without the order written in the same transaction.
Rows stream from ``COPY ... TO STDOUT`` on the source straight into ``COPY ...
FROM STDIN`` on the warehouse: no row passes through Python objects.

The watermark a table may advance to is the newest ``updated_at`` extracted,
held back to the start of the oldest transaction still open on the source when
the snapshot was taken: that transaction's rows carry an older ``updated_at``
than rows already committed, and a watermark past them would lose them. The
merge advances the watermark, in the transaction that merges the batch. A prepared
transaction (two-phase commit) pending on the source holds every watermark where it
is: it has no backend any more, its start is not kept, and its rows, stamped when it
started, become visible whenever its coordinator commits it. A source role that cannot
see other roles' sessions (no ``pg_read_all_stats``) cannot hold the watermark below
them: the run stops before it reads anything.

The same reasoning gives each table a time before which every source row is in the
warehouse: the snapshot saw every row written before the oldest open transaction
began (or before the check, with none open), and earlier runs read everything below
the old watermark. The extraction records it (``audit.extraction_coverage``); the
quality gate's reconciliation compares only rows written before it, whatever their
creation times say (a bulk import gives every row the same one).

Before it reads anything, the extraction checks that the source still holds the
rows the warehouse loaded: a few of them, under the lowest and highest keys of each
table, must have been created when the warehouse says. A source replaced by another
history (a new generation, a restore, another shop) would otherwise be merged into
the old one key by key; the run stops with a one-line reason and nothing loaded.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

import psycopg
from psycopg import sql

from globalcart import db
from globalcart.errors import GlobalCartError
from globalcart.settings import Database
from globalcart.warehouse.contracts import CONTRACTS
from globalcart.warehouse.steps import SOURCE_TABLES

BEGINNING = datetime.fromisoformat("0001-01-01T00:00:00+00:00")
END = datetime.fromisoformat("9999-12-31T00:00:00+00:00")


@dataclass(frozen=True)
class ExtractedBatch:
    table_name: str
    rows: int
    watermark_from: datetime | None
    watermark_to: datetime | None
    seconds: float


def extract_changed_rows(
    source: Database,
    warehouse: Database,
    run_id: str,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    advance_watermarks: bool = True,
    tables: Sequence[str] = SOURCE_TABLES,
    progress: Callable[[str], None] = lambda _: None,
) -> list[ExtractedBatch]:
    """Stage every row changed since each table's watermark (or since ``since``) and before ``until``.

    ``advance_watermarks=False`` re-extracts a window (a backfill) without moving the watermarks.
    """
    batches = []
    with db.connect(warehouse) as wh, db.connect(source, autocommit=True) as src:
        watermarks = dict(db.fetch_all(wh, "staging/select_watermarks.sql"))
        for table in tables:
            wh.execute(sql.SQL("truncate {}").format(sql.Identifier("staging", table)))
        wh.execute("truncate staging.extract_batches, staging.repair_keys")
        drifted: dict[str, list[str]] = {}
        for table, source_key in db.fetch_all(wh, "staging/select_pending_drift.sql"):
            drifted.setdefault(table, []).append(source_key)

        # Who is writing right now must be read before the snapshot exists (see the module docstring).
        checked_at, oldest_open, hidden = db.fetch_all(src, "extract/select_open_transactions.sql")[0]
        if hidden:
            raise GlobalCartError(
                f"the source role {src.info.user} cannot see whether {hidden} other session(s) on the source are"
                " still writing, so the watermarks cannot be held below them; grant it pg_read_all_stats,"
                " nothing was loaded"
            )
        prepared_count, prepared_at, prepared_gid = db.fetch_all(src, "extract/select_prepared_transactions.sql")[0]
        if prepared_count:
            progress(
                f"{prepared_count} prepared transaction(s) pending on the source (the oldest, {prepared_gid!r},"
                f" prepared at {prepared_at:%Y-%m-%d %H:%M:%S%z}): the watermarks stay where they are"
            )
        src.autocommit = False
        src.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        src.read_only = True
        src.execute("set local datestyle = 'ISO, YMD'")
        check_same_history(src, wh)
        for table in tables:
            started = time.perf_counter()
            watermark_from = since or watermarks.get(table)
            params = {"since": watermark_from or BEGINNING, "until": until or END}
            copy_out = sql.SQL("copy ({}) to stdout").format(
                sql.SQL(db.sql_text(f"extract/select_changed_{table}.sql"))
            )
            copy_in = sql.SQL("copy {} from stdin").format(sql.Identifier("staging", table))
            with src.cursor().copy(copy_out, params) as rows_out, wh.cursor() as cur:
                with cur.copy(copy_in) as rows_in:
                    for block in rows_out:
                        rows_in.write(block)
                count = cur.rowcount
            batch = ExtractedBatch(table, count, watermark_from, None, time.perf_counter() - started)
            batches.append(batch)
            progress(f"extracted {table}: {count:,} rows in {batch.seconds:.2f} s")
            if table in drifted:
                stage_drifted_rows(src, wh, table, drifted[table], progress)
        src.rollback()

        full_load = since is None and not any(watermarks.get(table) for table in tables)
        seen_before = min(t for t in (oldest_open, checked_at) if t is not None)
        for batch in batches:
            old_watermark = watermarks.get(batch.table_name)
            # A pending prepared transaction may still add rows from any time after the old watermark.
            table_seen_before = (old_watermark or BEGINNING) if prepared_count else seen_before
            complete = complete_before(old_watermark, batch.watermark_from, until, table_seen_before)
            wh.execute(
                db.sql_text("staging/record_extraction_coverage.sql"),
                {"run_id": run_id, "table_name": batch.table_name, "complete_before": complete, "full_load": full_load},
            )

        newest = dict(db.fetch_all(wh, "staging/select_batch_high_waters.sql"))
        for index, batch in enumerate(batches):
            watermark_to = None
            if advance_watermarks and newest.get(batch.table_name) is not None and not prepared_count:
                candidates = (newest[batch.table_name], oldest_open, checked_at)
                watermark_to = min(t for t in candidates if t is not None)
            batches[index] = replace(batch, watermark_to=watermark_to)
            wh.execute(
                db.sql_text("staging/record_extract_batch.sql"),
                {
                    "table_name": batch.table_name,
                    "run_id": run_id,
                    "extracted_rows": batch.rows,
                    "watermark_from": batch.watermark_from,
                    "watermark_to": watermark_to,
                },
            )
        wh.commit()
    return batches


def stage_drifted_rows(
    src: psycopg.Connection, wh: psycopg.Connection, table: str, keys: list[str], progress: Callable[[str], None]
) -> None:
    """Stage the source's rows of the keys a reconciliation found drifted, and note which the source still holds.

    The merge lets these rows win whatever their updated_at, and deletes from the mirror the keys
    the source no longer holds (``staging.repair_keys``).
    """
    params = {"keys": keys}
    copy_out = sql.SQL("copy ({}) to stdout").format(sql.SQL(db.sql_text(f"extract/select_drifted_{table}.sql")))
    copy_in = sql.SQL("copy {} from stdin").format(sql.Identifier("staging", table))
    with src.cursor().copy(copy_out, params) as rows_out, wh.cursor() as cur:
        with cur.copy(copy_in) as rows_in:
            for block in rows_out:
                rows_in.write(block)
    found = [key for (key,) in db.fetch_all(src, f"extract/select_drifted_keys_{table}.sql", params)]
    wh.execute(db.sql_text("staging/record_repair_keys.sql"), {"table_name": table, "keys": keys, "found": found})
    progress(f"re-extracted {table}: {len(found):,} drifted rows, {len(keys) - len(found):,} deleted in the source")


def complete_before(
    old_watermark: datetime | None, read_from: datetime | None, until: datetime | None, seen_before: datetime
) -> datetime | None:
    """The time before which every source row of a table is in the warehouse after this extraction.

    This run read every row written in [read_from, min(until, seen_before)); earlier runs read
    every row written before the old watermark. None when neither reaches back to the beginning.
    """
    read_through = min(until or END, seen_before)
    if read_from is None or (old_watermark is not None and read_from <= old_watermark):
        return max(read_through, old_watermark) if old_watermark is not None else read_through
    return old_watermark


FULL_REFRESH = "a full refresh is needed (globalcart load --full-refresh, or the DAG's full_refresh param)"


def check_same_history(src: psycopg.Connection, wh: psycopg.Connection) -> None:
    """Raise when the source no longer holds the rows the warehouse loaded under their keys.

    A row's key and creation time name it: the same key created at another time is another
    row, and a source whose highest key is below every one of the warehouse's highest keys
    has gone back in its numbering (a restore, a new history) and will hand those keys out again.
    """
    loaded: dict[str, dict[int, tuple[str, datetime]]] = {}
    for table, sample, key, created_at in db.fetch_all(wh, "extract/select_loaded_samples.sql"):
        loaded.setdefault(table, {})[key] = (sample, created_at)
    if not loaded:
        return
    keys = {contract.name: [] for contract in CONTRACTS if contract.numbered_key}
    keys |= {table: sorted(rows) for table, rows in loaded.items()}
    held: dict[str, dict[int, datetime]] = {}
    highest: dict[str, int | None] = {}
    for table, key, created_at, highest_key in db.fetch_all(src, "extract/select_source_samples.sql", keys):
        if key is None:
            highest[table] = highest_key
        else:
            held.setdefault(table, {})[key] = created_at
    for table, rows in loaded.items():
        source_rows = held.get(table, {})
        for key, (_, created_at) in sorted(rows.items()):
            if key in source_rows and source_rows[key] != created_at:
                raise GlobalCartError(
                    f"the source holds another history than the one loaded: {table} {key} was created at"
                    f" {source_rows[key]:%Y-%m-%d %H:%M:%S%z} in the source, at {created_at:%Y-%m-%d %H:%M:%S%z}"
                    f" in the warehouse; {FULL_REFRESH}, nothing was loaded"
                )
        newest = [key for key, (sample, _) in rows.items() if sample == "highest"]
        top = highest.get(table)
        if newest and not any(key in source_rows for key in newest) and (top is None or top < min(newest)):
            raise GlobalCartError(
                f"the source's keys went backwards: its highest {table} key is {top}, the warehouse holds"
                f" {table} up to {max(newest)}; {FULL_REFRESH}, nothing was loaded"
            )
