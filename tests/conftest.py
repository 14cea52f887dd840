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
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql

from globalcart import localstack, settings

# Airflow reads its settings when first imported: give the tests their own home.
os.environ.setdefault("AIRFLOW_HOME", str(settings.LOCAL_DIR / "airflow-test"))
from globalcart.airflow_env import apply_airflow_environment  # noqa: E402

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


@pytest.fixture
def fresh_database(server_uri: str) -> Iterator[str]:
    """A new empty database; yields its URI."""
    name = f"globalcart_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server_uri, autocommit=True) as admin:
        admin.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
    try:
        yield _with_database(server_uri, name)
    finally:
        with psycopg.connect(server_uri, autocommit=True) as admin:
            admin.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))


@pytest.fixture
def source_uri(fresh_database: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A new empty database that the project sees as its source (``globalcart_source`` connection)."""
    monkeypatch.setenv(settings.conn_env_var(settings.SOURCE_CONN_ID), fresh_database)
    return fresh_database
