"""Shared fixtures. Every test that touches data uses a real PostgreSQL server.

By default that is the project's embedded server (started here if needed); set
``GLOBALCART_TEST_PG_URI`` (a URI to a maintenance database on any PostgreSQL
where the user may create databases) to run the suite elsewhere. Each test that
needs a database gets a new, empty one, dropped afterwards, so tests never touch
the demo data.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql

from globalcart import localstack, settings
from globalcart.settings import Database

# Airflow reads its settings when first imported: give the tests their own home.
os.environ.setdefault("AIRFLOW_HOME", str(settings.LOCAL_DIR / "airflow-test"))
from globalcart.airflow_env import apply_airflow_environment

apply_airflow_environment()


@pytest.fixture(scope="session")
def server_uri() -> str:
    """A URI to the ``postgres`` database of a running server."""
    external = os.environ.get("GLOBALCART_TEST_PG_URI")
    if external:
        return external
    localstack.start()
    return settings.embedded_uri("postgres")


def _with_database(uri: str, name: str) -> str:
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
        yield _with_database(server_uri, name)
    finally:
        with psycopg.connect(server_uri, autocommit=True) as admin:
            admin.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))


@pytest.fixture
def fresh_database(server_uri: str) -> Iterator[str]:
    """A new empty database; yields its URI."""
    with scratch_database(server_uri) as uri:
        yield uri


@pytest.fixture
def source_uri(fresh_database: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A new empty database that the project sees as its source (``globalcart_source`` connection)."""
    monkeypatch.setenv(settings.conn_env_var(settings.SOURCE_CONN_ID), fresh_database)
    return fresh_database


@pytest.fixture(scope="session")
def airflow_db() -> None:
    """A migrated Airflow metadata database (SQLite, in the tests' own AIRFLOW_HOME)."""
    import subprocess
    import sys
    from pathlib import Path

    airflow = Path(sys.executable).with_name("airflow")
    subprocess.run([str(airflow), "db", "migrate"], check=True, capture_output=True)


SOURCE_ENV = settings.conn_env_var(settings.SOURCE_CONN_ID)
WAREHOUSE_ENV = settings.conn_env_var(settings.WAREHOUSE_CONN_ID)


@dataclass
class Stack:
    source: Database
    warehouse: Database
    server_uri: str

    def run(self, *, publish: bool = False, **kwargs):
        """One run in-process; the quality gate and the publication only when asked (they cost seconds)."""
        from globalcart.warehouse.pipeline import run_incremental

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


@pytest.fixture(scope="module")
def small_history(server_uri: str) -> Iterator[str]:
    """A small shop history up to today, generated once per module; tests work on copies.

    Big enough (about 130 order lines a day) that a day's sales are not noise to the quality gate.
    """
    from globalcart.source.history import load_history

    with scratch_database(server_uri) as uri, pytest.MonkeyPatch.context() as patch:
        patch.setenv(SOURCE_ENV, uri)
        load_history(order_lines=12_000, days=90, end_date=datetime.now(UTC).date(), seed=11)
        yield uri


@pytest.fixture
def stack(server_uri: str, small_history: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Stack]:
    with (
        scratch_database(server_uri, template=small_history) as source_uri,
        scratch_database(server_uri) as warehouse_uri,
    ):
        monkeypatch.setenv(SOURCE_ENV, source_uri)
        monkeypatch.setenv(WAREHOUSE_ENV, warehouse_uri)
        yield Stack(settings.SOURCE.at(source_uri), settings.WAREHOUSE.at(warehouse_uri), server_uri)


@dataclass
class Mailbox:
    """The messages a real local SMTP server (aiosmtpd) received."""

    messages: list

    def subjects(self) -> list[str]:
        return [message["Subject"] for message in self.messages]

    def html(self, index: int = -1) -> str:
        message = self.messages[index]
        part = next(part for part in message.walk() if part.get_content_type() == "text/html")
        return part.get_payload(decode=True).decode()


@pytest.fixture
def mailbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[Mailbox]:
    """An SMTP server on a free local port that Airflow's smtp_default connection points at."""
    import email
    import json
    import socket

    from aiosmtpd.controller import Controller

    received = Mailbox([])

    class Collect:
        async def handle_DATA(self, server, session, envelope):
            received.messages.append(email.message_from_bytes(envelope.original_content))
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Collect(), hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv(
        "AIRFLOW_CONN_SMTP_DEFAULT",
        json.dumps(
            {
                "conn_type": "smtp",
                "host": "127.0.0.1",
                "port": port,
                "extra": {"disable_ssl": True, "disable_tls": True, "timeout": 10, "retry_limit": 0},
            }
        ),
    )
    monkeypatch.setenv("GLOBALCART_ALERT_EMAILS", "on-call@example.com")
    try:
        yield received
    finally:
        controller.stop()
