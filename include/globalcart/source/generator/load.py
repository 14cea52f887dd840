"""The thin layer that writes the shop model to PostgreSQL, in parallel, all or nothing.

Rows reach PostgreSQL through ``COPY ... (FORMAT binary)``: as the model hands
out each table, its bytes are assembled column by column from the arrays, and
two more threads stream them to two server backends while the next table is
being drawn (see LANES). Each backend creates, loads and indexes its tables in
one transaction, so they skip the WAL (``wal_level=minimal``), in a
``shop_loading`` schema that one last transaction renames to ``shop``; a
failure drops it again and leaves the database as it was.
"""

from __future__ import annotations

import queue
import re
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

import psycopg
from psycopg import sql
from psycopg.pq import TransactionStatus

from globalcart.db import run_sql_file, split_statements, sql_text, transaction, without_comments
from globalcart.errors import GlobalCartError
from globalcart.source.generator.binary_copy import COPY_HEADER, COPY_TRAILER, BinaryRows
from globalcart.source.generator.model import build_history
from globalcart.source.generator.params import GenerationParams, validate
from globalcart.source.generator.tables import Table

# Tables in the order they are loaded; a table's keys are built once it and the tables it references are in.
LOAD_ORDER = (
    "carriers", "fulfillment_centers", "products", "product_prices", "promotions",
    "customers", "orders", "order_items", "payments", "shipments", "returns",
)  # fmt: skip
# The load runs on two server backends at once, each loading its share of the tables in one
# transaction of its own (so each table is created, COPYed with FREEZE and given its keys in
# the same transaction, without WAL): the order lines and their returns on one, the rest on
# the other, which keeps the two about equally busy. The foreign keys between the two shares
# are added in the last transaction, the one that swaps the new history in.
LANES = (
    ("order_items", "returns"),
    ("carriers", "fulfillment_centers", "products", "product_prices", "promotions",
     "customers", "orders", "payments", "shipments"),
)  # fmt: skip
LOADING_SQL = "source/loading/"
SHOP_DDL = (
    "source/create_source_tables.sql",
    "source/create_source_keys.sql",
    "source/create_source_foreign_keys.sql",
)


def generate(
    conn: psycopg.Connection,
    params: GenerationParams,
    progress: Callable[[str], None] = lambda _: None,
    *,
    replace: bool = False,
    before_commit: Callable[[psycopg.Connection, dict], None] | None = None,
) -> dict:
    """Load a new history and make it the shop schema. Returns the manifest (JSON-serialisable dict).

    The history is built in a ``shop_loading`` schema by ``conn`` and a second connection
    to the same database, working in parallel. One last transaction on ``conn`` then adds
    the foreign keys between their tables, drops the old ``shop`` and ``sim`` schemas if
    ``replace`` (else refuses if there is a shop), renames ``shop_loading`` to ``shop``,
    runs ``before_commit(conn, manifest)`` and commits: from the outside the new history
    appears at once. On any error everything the load made is dropped again, so the
    database is left as it was. ``conn`` must not be inside a transaction, and is left idle.
    """
    validate(params)
    if conn.info.transaction_status != TransactionStatus.IDLE:
        raise GlobalCartError("generate needs a connection that is not inside a transaction")
    locked = _fetch_value(conn, "lock_loading.sql")
    conn.rollback()
    if not locked:
        raise GlobalCartError("another history is being loaded into this database; try again once it is done")
    try:
        if not replace:
            _refuse_existing_shop(conn)
            conn.rollback()
        try:
            return _load(conn, params, progress, replace, before_commit)
        except BaseException:
            _drop_loading_schema(conn)
            raise
    finally:
        _unlock(conn)


def _load(
    conn: psycopg.Connection,
    params: GenerationParams,
    progress: Callable[[str], None],
    replace: bool,
    before_commit: Callable[[psycopg.Connection, dict], None] | None,
) -> dict:
    plan = _LoadPlan(LANES)
    with transaction(conn):
        run_sql_file(conn, LOADING_SQL + "create_loading_schema.sql")
        run_sql_file(conn, LOADING_SQL + "use_loading_schema.sql")
        for statement in plan.setup:  # the trigger function, which both lanes' tables use
            conn.execute(statement.encode(), prepare=False)
    with _connect_again(conn) as other:
        sender = _Sender((conn, other), plan, progress)
        try:
            manifest = build_history(params, sender.copy, progress)
            sender.finish()
        except BaseException:
            sender.abort()
            raise
    started = time.perf_counter()
    with transaction(conn):
        run_sql_file(conn, LOADING_SQL + "use_loading_schema.sql")
        for statement in plan.final:
            conn.execute(statement.encode(), prepare=False)
        progress(f"foreign keys across lanes: {len(plan.final)} statements in {time.perf_counter() - started:.2f} s")
        if replace:
            run_sql_file(conn, "source/sim/drop_source_schemas.sql")
        else:
            _refuse_existing_shop(conn)
        run_sql_file(conn, LOADING_SQL + "rename_loading_schema.sql")
        if before_commit is not None:
            before_commit(conn, manifest)
    progress(f"swapped the new history in as shop in {time.perf_counter() - started:.2f} s")
    return manifest


def _fetch_value(conn: psycopg.Connection, name: str) -> object:
    row = conn.execute(sql_text(LOADING_SQL + name)).fetchone()
    return row[0] if row else None


def _refuse_existing_shop(conn: psycopg.Connection) -> None:
    if _fetch_value(conn, "has_shop_schema.sql"):
        raise GlobalCartError(
            "the source database already has a shop schema; drop it first (generate --replace) to replace it"
        )


def _connect_again(conn: psycopg.Connection) -> psycopg.Connection:
    """A second connection to the same database as ``conn``, as the same user."""
    password = conn.info.password
    return psycopg.connect(conn.info.dsn, **({"password": password} if password else {}))


def _drop_loading_schema(conn: psycopg.Connection) -> None:
    """Drop what a failed load made. If the connection itself is lost, the next load drops it."""
    _run_best_effort(conn, "drop_loading_schema.sql")


def _unlock(conn: psycopg.Connection) -> None:
    _run_best_effort(conn, "unlock_loading.sql")  # a lost connection has released its lock already


def _run_best_effort(conn: psycopg.Connection, name: str) -> None:
    for _ in range(2):  # twice: a cancel sent to stop a lane may land on the first attempt
        try:
            conn.rollback()
            with transaction(conn):
                run_sql_file(conn, LOADING_SQL + name)
            return
        except psycopg.Error:
            if conn.closed:
                return


# Tables a statement of the shop DDL names (without a schema): after table/on/from/references,
# or in pg_get_serial_sequence('table', ...).
_NAMED_TABLE = re.compile(r"\b(?:table|on|from|references)\s+(\w+)|pg_get_serial_sequence\('(\w+)'")


class _LoadPlan:
    """Where each statement of the shop DDL runs, given which lane loads which table.

    A statement naming no table (the trigger function) runs before the lanes start; one
    naming tables of one lane runs in that lane's transaction, ``create table`` at its
    start and the others as soon as every table they name is loaded; one naming tables
    of both lanes (a foreign key across them) runs in the final transaction. The order
    of the files is kept among statements that become ready together.
    """

    def __init__(self, lanes: Sequence[Sequence[str]]) -> None:
        self.lane_of = {table: i for i, tables in enumerate(lanes) for table in tables}
        if sorted(self.lane_of) != sorted(LOAD_ORDER) or len(self.lane_of) != sum(map(len, lanes)):
            raise ValueError(f"the lanes must share out the tables {LOAD_ORDER}, each once: {lanes}")
        self.setup: list[str] = []
        self.creates: list[list[str]] = [[] for _ in lanes]
        self.keys: list[list[tuple[set[str], str]]] = [[] for _ in lanes]
        self.final: list[str] = []
        for name in SHOP_DDL:
            for statement in map(without_comments, split_statements(sql_text(name))):
                named = {a or b for a, b in _NAMED_TABLE.findall(statement)} & set(self.lane_of)
                lanes_named = {self.lane_of[table] for table in named}
                if not named:
                    self.setup.append(statement)
                elif len(lanes_named) > 1:
                    self.final.append(statement)
                elif statement.lower().startswith("create table"):
                    self.creates[lanes_named.pop()].append(statement)
                else:
                    self.keys[lanes_named.pop()].append((named, statement))


class _Aborted(Exception):
    pass


class _Lane:
    """One connection's share of the load, run from a thread of its own in one transaction.

    The main thread hands it tables through a bounded queue: while the server loads one
    table and builds its keys, the main thread simulates and encodes the next, and the
    bound keeps memory flat when the server is the slower side.
    """

    def __init__(
        self,
        name: str,
        conn: psycopg.Connection,
        start: list[str],
        keys: list[tuple[set[str], str]],
        done: queue.Queue[str],
    ) -> None:
        self.name = name
        self.error: BaseException | None = None
        self._conn = conn
        self._pending = keys
        self._loaded: set[str] = set()
        self._queue: queue.Queue[tuple[Any, ...] | None] = queue.Queue(maxsize=32)
        self._done = done
        self._busy = False  # the server is running a statement for this lane
        self._item: tuple[Any, ...] | None = ("idle",)  # the last item taken from the queue
        self._thread = threading.Thread(target=self._run, name=f"globalcart-{name}", daemon=True)
        self._thread.start()
        self._execute(f"{name}: tables", start)

    def copy(self, rows: BinaryRows) -> None:
        # FREEZE: the table is new in this transaction, so its rows can be written already
        # frozen and all-visible, which spares every later reader (and vacuum) a pass.
        statement = sql.SQL("copy {} ({}) from stdin (format binary, freeze true)").format(
            sql.Identifier(rows.table), sql.SQL(", ").join(map(sql.Identifier, rows.columns))
        )
        self._put(("copy", statement, rows.table, rows.n))
        self._put(("data", COPY_HEADER))
        for chunk in rows.chunks():
            self._put(("data", chunk))
        self._put(("data", COPY_TRAILER))
        self._put(("end",))
        self._loaded.add(rows.table)
        ready = [statement for needs, statement in self._pending if needs <= self._loaded]
        self._pending = [(needs, statement) for needs, statement in self._pending if not needs <= self._loaded]
        self._execute(f"{rows.table} keys", ready)

    def finish(self) -> None:
        """Queue the commit after the work already queued; ``join`` waits for it."""
        self._execute(f"{self.name}: remaining keys", [statement for _, statement in self._pending])
        self._pending = []
        self._put(("commit",))
        self._queue.put(None)

    def join(self) -> None:
        self._thread.join()

    def cancel(self) -> None:
        """Interrupt the statement the server is running for this lane, if any."""
        if self._busy:
            try:
                self._conn.cancel_safe(timeout=5)
            except psycopg.Error:
                pass

    def stop(self) -> None:
        self._queue.put(("abort",))
        self._queue.put(None)
        self._thread.join()

    def _execute(self, label: str, statements: list[str]) -> None:
        if statements:
            self._put(("sql", label, statements))

    def _put(self, item: tuple[Any, ...]) -> None:
        if self.error is not None:
            raise self.error
        self._queue.put(item)

    def _run(self) -> None:
        try:
            with self._conn.cursor() as cur:
                while self._take() is not None:
                    self._busy = True
                    self._serve(cur)
                    self._busy = False
        except BaseException as exc:  # handed to the main thread
            self.error = exc
            self._busy = False
            while self._item is not None:  # keep draining, so the producer never blocks on a full queue
                self._take()

    def _take(self) -> tuple[Any, ...] | None:
        self._item = self._queue.get()
        return self._item

    def _serve(self, cur: psycopg.Cursor) -> None:
        """Do the piece of work just taken from the queue."""
        item = self._item
        assert item is not None
        started = time.perf_counter()
        if item[0] == "sql":
            _, label, statements = item
            for statement in statements:
                cur.execute(statement.encode(), prepare=False)
            self._done.put(f"{label}: {len(statements)} statements in {time.perf_counter() - started:.2f} s")
            return
        if item[0] == "commit":
            self._conn.commit()
            self._done.put(f"{self.name}: commit in {time.perf_counter() - started:.2f} s")
            return
        if item[0] != "copy":
            raise _Aborted()
        _, statement, table, n = item
        with cur.copy(statement) as copy:
            while (data := self._take()) is not None and data[0] == "data":
                copy.write(memoryview(data[1]))
            if data is None or data[0] != "end":
                raise _Aborted()
        self._done.put(f"{table}: {n:,} rows in {time.perf_counter() - started:.2f} s")


class _Sender:
    """Sends each table to the lane that loads it, one lane (and connection) per share of LANES."""

    def __init__(self, conns: Sequence[psycopg.Connection], plan: _LoadPlan, progress: Callable[[str], None]) -> None:
        self._plan = plan
        self._progress = progress
        self._done: queue.Queue[str] = queue.Queue()
        self._lanes: list[_Lane] = []
        for i, conn in enumerate(conns):
            # Ask the kernel to start writing the new tables out while they are loaded, so the
            # commit (which must sync every relation created without WAL) has less left to wait for.
            start = [sql_text(LOADING_SQL + "use_loading_schema.sql"), "set local backend_flush_after = '2MB'"]
            self._lanes.append(_Lane(f"lane {i + 1}", conn, start + plan.creates[i], plan.keys[i], self._done))

    def copy(self, table: Table) -> None:
        self._lanes[self._plan.lane_of[table.name]].copy(BinaryRows(table))
        self._report()

    def finish(self) -> None:
        for lane in self._lanes:
            lane.finish()
        for lane in self._lanes:  # the lanes commit in parallel
            lane.join()
        self._report()
        for lane in self._lanes:
            if lane.error is not None:
                raise lane.error

    def abort(self) -> None:
        for lane in self._lanes:
            lane.cancel()
        for lane in self._lanes:
            lane.stop()

    def _report(self) -> None:
        while not self._done.empty():
            self._progress(self._done.get())
