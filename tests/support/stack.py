"""Databases for tests: scratch databases on the test server, and a source + warehouse pair to run the pipeline on.

Every test that touches data uses a real PostgreSQL server (the project's embedded one, or
the server ``GLOBALCART_TEST_PG_URI`` names); each gets databases of its own, dropped afterwards.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

from globalcart import settings
from globalcart.settings import Database

SOURCE_ENV = settings.conn_env_var(settings.SOURCE_CONN_ID)
WAREHOUSE_ENV = settings.conn_env_var(settings.WAREHOUSE_CONN_ID)
SHOP_ENV = settings.conn_env_var(settings.SHOP_CONN_ID)


def with_database(uri: str, name: str) -> str:
    """The same server URI, pointing at database ``name``."""
    return urlunsplit(urlsplit(uri)._replace(path=f"/{name}"))


@contextmanager
def scratch_database(server_uri: str, template: str | None = None) -> Iterator[str]:
    """A new database (empty, or a copy of ``template``), dropped afterwards; yields its URI."""
    name = f"globalcart_test_{uuid.uuid4().hex[:12]}"
    create = sql.SQL("create database {}").format(sql.Identifier(name))
    if template:
        create += sql.SQL(" template {}").format(sql.Identifier(urlsplit(template).path.lstrip("/")))
    with psycopg.connect(server_uri, autocommit=True) as admin:
        admin.execute(create)
    try:
        yield with_database(server_uri, name)
    finally:
        with psycopg.connect(server_uri, autocommit=True) as admin:
            admin.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))


@dataclass
class Stack:
    """A source and a warehouse database on the test server, with the pipeline to run between them."""

    source: Database
    warehouse: Database
    server_uri: str

    def run(self, *, publish: bool = False, **kwargs):
        """One run in-process; the quality gate and the publication only when asked (they cost seconds)."""
        from globalcart.pipelines.incremental import run_incremental

        return run_incremental(source=self.source, warehouse=self.warehouse, publish=publish, **kwargs)

    def source_sql(self, statement: str, params: tuple | dict | None = None) -> list[tuple]:
        with psycopg.connect(self.source.uri, autocommit=True) as conn:
            cur = conn.execute(statement, params)
            return cur.fetchall() if cur.description else []

    def warehouse_sql(self, statement: str, params: tuple | dict | None = None) -> list[tuple]:
        with psycopg.connect(self.warehouse.uri, autocommit=True) as conn:
            conn.execute("set time zone 'UTC'")
            cur = conn.execute(statement, params)
            return cur.fetchall() if cur.description else []
