"""Ordered, idempotent warehouse migrations (include/sql/warehouse/migrations/NNN_name.sql).

Each file runs once, in its own transaction, and is recorded in
``audit.schema_migrations`` with its checksum. Every file is also written to be
safe to run again (``if not exists``, ``on conflict do nothing``). A changed
file that was already applied is an error: migrations are append-only.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import psycopg

from globalcart import db
from globalcart.errors import GlobalCartError
from globalcart.settings import SQL_DIR

MIGRATIONS_DIR = SQL_DIR / "warehouse" / "migrations"
# Any constant works; it keeps two runners from applying the same migration at once.
_LOCK_KEY = 36_020_251


def migration_files() -> list[str]:
    return sorted(path.name for path in MIGRATIONS_DIR.glob("[0-9][0-9][0-9]_*.sql"))


def apply_migrations(conn: psycopg.Connection, progress: Callable[[str], None] = lambda _: None) -> list[str]:
    """Apply the migrations not applied yet; returns their names."""
    conn.execute("select pg_advisory_lock(%s)", (_LOCK_KEY,))
    try:
        db.run_sql_file(conn, "warehouse/create_schema_migrations.sql")
        conn.commit()
        applied = dict(db.fetch_all(conn, "warehouse/select_applied_migrations.sql"))
        conn.commit()
        newly_applied = []
        for name in migration_files():
            text = (MIGRATIONS_DIR / name).read_text()
            checksum = hashlib.sha256(text.encode()).hexdigest()
            if name in applied:
                if applied[name] != checksum:
                    raise GlobalCartError(f"migration {name} changed after it was applied; add a new migration instead")
                continue
            db.run_sql_file(conn, f"warehouse/migrations/{name}")
            conn.execute(db.sql_text("warehouse/record_migration.sql"), {"version": name, "checksum": checksum})
            conn.commit()
            newly_applied.append(name)
            progress(f"applied migration {name}")
        return newly_applied
    except BaseException:
        conn.rollback()
        raise
    finally:
        conn.execute("select pg_advisory_unlock(%s)", (_LOCK_KEY,))
        conn.commit()
