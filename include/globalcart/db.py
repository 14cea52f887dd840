"""The bottom of the package: connecting, reading the SQL files in include/sql, and running them.

Everything above this module runs SQL through these few helpers: one statement
splitter (the one Airflow's SQL hook uses, so a file runs the same in a task and
in-process), and one transaction helper, so that every step commits whole or
rolls back whole.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg

from globalcart.errors import GlobalCartError
from globalcart.settings import SQL_DIR, Database, libpq_uri


def connect(database: Database, *, autocommit: bool = False, **kwargs: Any) -> psycopg.Connection:
    """Open a connection, turning 'server not there' into a one-line GlobalCartError."""
    return _connect(database, libpq_uri(database.uri), autocommit=autocommit, **kwargs)


def connect_maintenance(database: Database) -> psycopg.Connection:
    """An autocommit connection to the ``postgres`` database of the same server (to create databases)."""
    uri = urlunsplit(urlsplit(libpq_uri(database.uri))._replace(path="/postgres"))
    return _connect(database, uri, autocommit=True)


def _connect(database: Database, uri: str, *, autocommit: bool, **kwargs: Any) -> psycopg.Connection:
    try:
        conn = psycopg.connect(uri, autocommit=autocommit, connect_timeout=5, **kwargs)
    except psycopg.OperationalError as exc:
        reason = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        raise GlobalCartError(
            f"cannot connect to the {database.conn_id} database at {database.display_uri()}: {reason}"
            " (is the local stack running? try `make up`)"
        ) from None
    conn.execute("set time zone 'UTC'")
    if not autocommit:
        conn.commit()
    return conn


@cache
def sql_text(name: str) -> str:
    """The text of include/sql/<name>, e.g. ``sql_text("source/create_source_tables.sql")``."""
    path = SQL_DIR / name
    if not path.is_file():
        raise GlobalCartError(f"SQL file not found: {path}")
    return path.read_text()


def run_sql_file(conn: psycopg.Connection, name: str, params: Mapping[str, Any] | None = None) -> None:
    """Run a SQL file. Files with bind parameters hold one statement; others may hold several."""
    text = sql_text(name)
    if params:
        conn.execute(text, params)
    else:
        run_sql_script(conn, text)


def run_sql_script(conn: psycopg.Connection, text: str) -> None:
    """Run a SQL text of one or more statements, without parameters."""
    # Without parameters psycopg sends the text as one simple query, so
    # several statements (DDL files) run in one round trip.
    conn.execute(text.encode(), prepare=False)


def fetch_all(conn: psycopg.Connection, name: str, params: Mapping[str, Any] | None = None) -> list[tuple]:
    with conn.cursor() as cur:
        cur.execute(sql_text(name), params or {})
        return cur.fetchall()


def fetch_frame(conn: psycopg.Connection, name: str, params: Mapping[str, Any] | None = None):
    """A SQL file's rows as a pandas DataFrame (pandas is imported only when this is called)."""
    import pandas as pd

    with conn.cursor() as cur:
        cur.execute(sql_text(name), params or {})
        return pd.DataFrame(cur.fetchall(), columns=[column.name for column in cur.description])


@cache
def split_statements(text: str) -> tuple[str, ...]:
    """The statements of a SQL text, split the way Airflow's SQL hook splits them (comments kept)."""
    import sqlparse

    return tuple(statement for statement in sqlparse.split(text) if without_comments(statement))


@cache
def without_comments(statement: str) -> str:
    """One statement with its comments and trailing semicolon removed (what Great Expectations wants)."""
    import sqlparse

    return sqlparse.format(statement, strip_comments=True).strip().rstrip(";").strip()


def execute_statements(conn: psycopg.Connection, sql_file: str, params: Mapping[str, Any] | None = None) -> None:
    """Run a file's statements, one by one, in the current transaction.

    Values are bound on the client (quoted by psycopg), as Airflow's SQL hook does,
    because DDL such as ``create table ... as select`` takes no server-side parameters.
    """
    with psycopg.ClientCursor(conn) as cur:
        for statement in split_statements(sql_text(sql_file)):
            cur.execute(statement, params or {})


@contextmanager
def transaction(conn: psycopg.Connection) -> Iterator[psycopg.Connection]:
    """Commit what the block did, or roll all of it back if the block raises (or is interrupted)."""
    try:
        yield conn
        conn.commit()
    except BaseException:
        conn.rollback()
        raise


def run_sql_step(conn: psycopg.Connection, sql_file: str, params: Mapping[str, Any] | None = None) -> None:
    """Run a step's statements in one transaction."""
    with transaction(conn):
        execute_statements(conn, sql_file, params)
