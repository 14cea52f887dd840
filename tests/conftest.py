"""Shared fixtures. Every test that touches data uses a real PostgreSQL server.

By default that is the project's embedded server (started here if needed); set
``GLOBALCART_TEST_PG_URI`` (a URI to a maintenance database on any PostgreSQL
where the user may create databases) to run the suite elsewhere. Each test that
needs a database gets a new, empty one, dropped afterwards, so tests never touch
the demo data. The helpers behind these fixtures are in ``tests/support``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from globalcart import settings

# Airflow reads its settings when first imported: give the tests their own home.
os.environ.setdefault("AIRFLOW_HOME", str(settings.LOCAL_DIR / "airflow-test"))
from globalcart.dev.airflow_env import apply_airflow_environment

apply_airflow_environment()

from tests.support.mail import Mailbox, smtp_server  # noqa: E402
from tests.support.stack import SOURCE_ENV, WAREHOUSE_ENV, Stack, scratch_database  # noqa: E402


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that needs the database server or Airflow's metadata database is slow: `make test-fast` skips it."""
    for item in items:
        if {"server_uri", "airflow_db"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def server_uri() -> Iterator[str]:
    """A URI to the ``postgres`` database of a running server.

    The tests leave the local server as they found it: one they started is stopped at the end,
    so a finished run holds no port and the next clone's run can start its own.
    """
    external = os.environ.get("GLOBALCART_TEST_PG_URI")
    if external:
        yield external
        return
    from globalcart.dev import localstack

    started_here = not localstack.is_running()
    localstack.start()
    yield settings.embedded_uri("postgres")
    if started_here:
        localstack.stop()


@pytest.fixture
def fresh_database(server_uri: str) -> Iterator[str]:
    """A new empty database; yields its URI."""
    with scratch_database(server_uri) as uri:
        yield uri


@pytest.fixture
def source_uri(fresh_database: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A new empty database that the project sees as its source (``globalcart_source`` connection)."""
    monkeypatch.setenv(SOURCE_ENV, fresh_database)
    return fresh_database


@pytest.fixture(scope="session")
def airflow_db() -> None:
    """A migrated Airflow metadata database (SQLite, in the tests' own AIRFLOW_HOME)."""
    import subprocess
    import sys
    from pathlib import Path

    airflow = Path(sys.executable).with_name("airflow")
    subprocess.run([str(airflow), "db", "migrate"], check=True, capture_output=True)


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


@pytest.fixture
def mailbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[Mailbox]:
    """An SMTP server on a free local port that Airflow's smtp_default connection points at."""
    with smtp_server() as received:
        monkeypatch.setenv(
            "AIRFLOW_CONN_SMTP_DEFAULT",
            json.dumps(
                {
                    "conn_type": "smtp",
                    "host": "127.0.0.1",
                    "port": received.port,
                    "extra": {"disable_ssl": True, "disable_tls": True, "timeout": 10, "retry_limit": 0},
                }
            ),
        )
        monkeypatch.setenv("GLOBALCART_ALERT_EMAILS", "on-call@example.com")
        yield received
