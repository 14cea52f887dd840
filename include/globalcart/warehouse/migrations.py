"""The warehouse's schema: versioned migrations for tables, definitions for replaceable objects.

Versioned migrations (include/sql/warehouse/migrations/NNN_name.sql) create and
change tables. Each runs once, in order, and is checksum-locked: deployed
warehouses have applied it, so a change is a new migration, never an edit.

Definitions (include/sql/warehouse/definitions/NN_schema.object.sql) are the
replaceable objects: functions, views, trigger functions with their triggers, one
object a file. Each file is its object's live definition, written to run again
(drop, then create: ``create or replace`` cannot change a function's result
columns). They run after the versioned migrations, in name order, and again
whenever their text changes. A definition may use only those before it: dropping
an object drops what depends on it, so a changed definition is re-applied
together with every definition after it.

Both kinds are recorded in ``audit.schema_migrations`` with their checksum and
kind. Each file runs in a transaction of its own; an advisory lock keeps two
runners apart.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import psycopg

from globalcart import db
from globalcart.errors import GlobalCartError
from globalcart.settings import SQL_DIR

MIGRATIONS_DIR = SQL_DIR / "warehouse" / "migrations"
DEFINITIONS_DIR = SQL_DIR / "warehouse" / "definitions"
# Any constant works; it keeps two runners from applying the same migration at once.
_LOCK_KEY = 36_020_251

Progress = Callable[[str], None]


def migration_files() -> list[str]:
    return sorted(path.name for path in MIGRATIONS_DIR.glob("[0-9][0-9][0-9]_*.sql"))


def definition_files() -> list[str]:
    return sorted(path.name for path in DEFINITIONS_DIR.glob("*.sql"))


def apply_migrations(conn: psycopg.Connection, progress: Progress = lambda _: None) -> list[str]:
    """Apply the versioned migrations not applied yet, then the definitions that are new or changed.

    Returns the names of the files applied, in the order they ran (empty when the
    warehouse was up to date).
    """
    with _migration_lock(conn):
        with db.transaction(conn):
            db.run_sql_file(conn, "warehouse/create_schema_migrations.sql")
        applied = _apply_versioned(conn, progress)
        return applied + _apply_definitions(conn, progress)


@contextmanager
def _migration_lock(conn: psycopg.Connection) -> Iterator[None]:
    with db.transaction(conn):
        conn.execute("select pg_advisory_lock(%s)", (_LOCK_KEY,))
    try:
        yield
    finally:
        with db.transaction(conn):
            conn.execute("select pg_advisory_unlock(%s)", (_LOCK_KEY,))


def _apply_versioned(conn: psycopg.Connection, progress: Progress) -> list[str]:
    with db.transaction(conn):
        recorded = dict(db.fetch_all(conn, "warehouse/select_applied_migrations.sql"))
    applied = []
    for name in migration_files():
        text = (MIGRATIONS_DIR / name).read_text()
        checksum = _checksum(text)
        if name in recorded:
            if recorded[name] != checksum:
                raise GlobalCartError(f"migration {name} changed after it was applied; add a new migration instead")
            continue
        with db.transaction(conn):
            db.run_sql_script(conn, text)
            conn.execute(db.sql_text("warehouse/record_migration.sql"), {"version": name, "checksum": checksum})
        applied.append(name)
        progress(f"applied migration {name}")
    return applied


def _apply_definitions(conn: psycopg.Connection, progress: Progress) -> list[str]:
    with db.transaction(conn):
        recorded = dict(db.fetch_all(conn, "warehouse/select_applied_definitions.sql"))
    applied: list[str] = []
    for name in definition_files():
        text = (DEFINITIONS_DIR / name).read_text()
        checksum = _checksum(text)
        if not applied and recorded.get(name) == checksum:
            continue
        with db.transaction(conn):
            db.run_sql_script(conn, text)
            conn.execute(db.sql_text("warehouse/record_definition.sql"), {"version": name, "checksum": checksum})
        if name not in recorded:
            progress(f"applied definition {name}")
        elif recorded[name] != checksum:
            progress(f"re-applied definition {name}: it changed")
        else:
            progress(f"re-applied definition {name}: it comes after {applied[0]}")
        applied.append(name)
    return applied


def _checksum(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()
