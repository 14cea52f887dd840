"""The local PostgreSQL: start twice, stop, restart after a crash, stale pid file, port in use.

These tests run a second embedded server of their own (own data folder, own
port), so they never disturb the one the rest of the suite uses.
"""

from __future__ import annotations

import os
import signal
import socket
import time
from pathlib import Path

import psycopg
import pytest

from globalcart import settings
from globalcart.dev import localstack
from globalcart.errors import GlobalCartError

# Each test stops and starts the embedded server.
pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def own_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    port = _free_port()
    monkeypatch.setattr(settings, "LOCAL_DIR", tmp_path / "local")
    monkeypatch.setenv("GLOBALCART_PG_PORT", str(port))
    for conn_id in (settings.SOURCE_CONN_ID, settings.WAREHOUSE_CONN_ID):
        monkeypatch.delenv(settings.conn_env_var(conn_id), raising=False)
    yield port
    localstack.stop()


def _can_query(port: int) -> bool:
    with psycopg.connect(f"postgresql://postgres@127.0.0.1:{port}/globalcart_warehouse", connect_timeout=5) as conn:
        return conn.execute("select 1").fetchone() == (1,)


def test_start_twice_then_stop_twice(own_server: int) -> None:
    assert localstack.start().startswith("PostgreSQL started")
    assert localstack.start().startswith("PostgreSQL already running")
    assert _can_query(own_server)
    assert "running" in localstack.status()
    assert localstack.stop() == "PostgreSQL stopped"
    assert localstack.stop() == "PostgreSQL is not running"
    assert "not running" in localstack.status()


def test_start_after_crash_and_with_stale_pid_file(own_server: int) -> None:
    localstack.start()
    server = localstack.local_server()
    pid = int(server.pid_file.read_text().splitlines()[0])
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while localstack.status() != "PostgreSQL is not running (start it with `make up`)" and time.monotonic() < deadline:
        time.sleep(0.2)
    assert localstack.start().startswith("PostgreSQL started")
    assert _can_query(own_server)

    # A pid file naming a live process that is not our server (pids get reused after a reboot).
    localstack.stop()
    server.pid_file.write_text(f"{os.getpid()}\n{server.data_dir}\n0\n{own_server}\n")
    assert localstack.start().startswith("PostgreSQL started")
    assert _can_query(own_server)


def test_port_taken_by_another_program_is_a_clear_error(own_server: int) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", own_server))
        squatter.listen()
        with pytest.raises(GlobalCartError, match=f"port {own_server} .* in use by another program"):
            localstack.start()
    assert "not running" in localstack.status()


def test_a_data_folder_made_with_older_settings_gets_the_current_ones(own_server: int) -> None:
    """The project's block of postgresql.conf follows SERVER_SETTINGS; alter system still overrides it."""
    localstack.start()
    localstack.stop()
    conf = localstack.local_server().data_dir / "postgresql.conf"
    current = localstack.SERVER_SETTINGS["shared_buffers"]
    conf.write_text(conf.read_text().replace(f"shared_buffers = {current}", "shared_buffers = '128MB'"))
    conf.write_text(conf.read_text().replace("random_page_cost = 1.1\n", ""))

    localstack.start()
    with psycopg.connect(f"postgresql://postgres@127.0.0.1:{own_server}/postgres", autocommit=True) as conn:
        settings_now = dict(
            conn.execute(
                "select name, current_setting(name) from pg_settings"
                " where name in ('shared_buffers', 'random_page_cost')"
            ).fetchall()
        )
        assert settings_now["random_page_cost"] == "1.1"
        assert settings_now["shared_buffers"] == current.strip("'")
        conn.execute("alter system set random_page_cost = 2")
    localstack.stop()
    localstack.start()
    with psycopg.connect(f"postgresql://postgres@127.0.0.1:{own_server}/postgres") as conn:
        assert conn.execute("select current_setting('random_page_cost')").fetchone() == ("2",)
    assert conf.read_text().count("shared_buffers = '") == 1
