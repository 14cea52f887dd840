"""A whole Airflow on this machine, for the end-to-end tests and the benchmark: API server (on a port of
its own), scheduler, DAG processor and triggerer, the LocalExecutor, metadata in PostgreSQL, the
project's DAGs and plugin, in a folder of its own.

What only a running scheduler shows (schedules and their data intervals, backfills, asset and
event-driven runs, setup and teardown, the triggerer's watchers, callbacks) is measured and tested
against this, the way a deployment meets it.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

from globalcart import settings

AIRFLOW = str(Path(sys.executable).with_name("airflow"))
COMPONENTS = ("api-server", "scheduler", "dag-processor", "triggerer")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def with_database(uri: str, name: str) -> str:
    return urlunsplit(urlsplit(uri)._replace(path=f"/{name}"))


@dataclass
class Cluster:
    home: Path
    env: dict[str, str]
    meta_uri: str
    port: int
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def airflow(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run([AIRFLOW, *args], env=self.env, capture_output=True, text=True, timeout=180)
        if check and result.returncode != 0:
            raise RuntimeError(f"airflow {' '.join(args)} failed:\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}")
        return result

    def meta(self, statement: str, params: dict | tuple | None = None) -> list[tuple]:
        with psycopg.connect(self.meta_uri, autocommit=True) as conn:
            return conn.execute(statement, params).fetchall()

    def runs(self, dag_id: str) -> list[dict[str, Any]]:
        rows = self.meta(
            "select run_id, run_type, state, queued_at, start_date, end_date, data_interval_start, data_interval_end"
            " from dag_run where dag_id = %s order by id",
            (dag_id,),
        )
        keys = ("run_id", "run_type", "state", "queued_at", "start_date", "end_date", "start", "end")
        return [dict(zip(keys, row, strict=True)) for row in rows]

    def task_states(self, dag_id: str, run_id: str) -> dict[str, str]:
        rows = self.meta("select task_id, state from task_instance where dag_id = %s and run_id = %s", (dag_id, run_id))
        return dict(rows)

    def wait_for(self, what: str, condition: Callable[[], Any], timeout: float = 240, every: float = 1) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = condition()
            if value:
                return value
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise RuntimeError(f"airflow {name} exited while waiting for {what}; see {self.home}/{name}.log")
            time.sleep(every)
        raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}; logs in {self.home}")

    def wait_for_run(self, dag_id: str, *, finished: bool = True, timeout: float = 240, **match: Any) -> dict:
        """The first run of ``dag_id`` whose fields match (callables are predicates), once finished."""

        def found() -> dict | None:
            for run in self.runs(dag_id):
                if all(value(run[key]) if callable(value) else run[key] == value for key, value in match.items()):
                    if not finished or run["state"] in ("success", "failed"):
                        return run
            return None

        return self.wait_for(f"a run of {dag_id} matching {match}", found, timeout)

    def busy(self, dag_id: str) -> str | None:
        """What would start or keep a run of ``dag_id`` going now, or None when nothing would."""
        if [r for r in self.runs(dag_id) if r["state"] in ("queued", "running")]:
            return "a run is queued or running"
        # An asset event whose run waits behind max_active_runs is not a run yet, nor is a scheduled run due.
        if self.meta("select 1 from asset_dag_run_queue where target_dag_id = %s", (dag_id,)):
            return "an asset event waits for its run"
        if self.meta("select 1 from dag where dag_id = %s and next_dagrun_create_after <= now()", (dag_id,)):
            return "a scheduled run is due"
        return None

    def idle(self, dag_id: str, timeout: float = 300, quiet_seconds: float = 3) -> None:
        """Wait until nothing would start a run of ``dag_id``, seen for ``quiet_seconds`` (a few scheduler loops).

        A single look can fall between a run's end and the start of the run queued behind it.
        """
        quiet_since: list[float] = []

        def quiet() -> bool:
            if self.busy(dag_id):
                quiet_since.clear()
                return False
            quiet_since[:] = quiet_since or [time.monotonic()]
            return time.monotonic() - quiet_since[0] >= quiet_seconds

        self.wait_for(f"{dag_id} to be idle", quiet, timeout=timeout, every=0.5)


def cluster_environment(
    home: Path, meta_uri: str, port: int, connections: dict[str, str], smtp_port: int, extra: dict[str, str]
) -> dict[str, str]:
    """The local-mode Airflow settings as a fresh shell gets them, pointed at this cluster's folder and databases."""
    from globalcart.dev.airflow_env import airflow_environment

    saved = dict(os.environ)
    try:
        for key in [key for key in os.environ if key.startswith(("AIRFLOW", "GLOBALCART_"))]:
            del os.environ[key]
        os.environ["GLOBALCART_AIRFLOW_PORT"] = str(port)
        local = airflow_environment()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    env = {key: value for key, value in os.environ.items() if not key.startswith(("AIRFLOW", "GLOBALCART_"))}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    env.update(local)
    env.update(
        {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": meta_uri.replace("postgresql://", "postgresql+psycopg2://", 1),
            "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(home / "passwords.json"),
            "AIRFLOW__CORE__PARALLELISM": "8",
            "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "1",
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
            "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": "5",
            "AIRFLOW__API__WORKERS": "1",
            "GLOBALCART_LOCAL_DIR": str(home / "globalcart"),
            "GLOBALCART_DATA_DOCS_DIR": str(home / "globalcart" / "data_docs"),
            "AIRFLOW_CONN_SMTP_DEFAULT": json.dumps(
                {
                    "conn_type": "smtp",
                    "host": "127.0.0.1",
                    "port": smtp_port,
                    "extra": {"disable_ssl": True, "disable_tls": True, "timeout": 10, "retry_limit": 0},
                }
            ),
            "GLOBALCART_ALERT_EMAILS": "on-call@example.com",
            **{settings.conn_env_var(conn_id): uri for conn_id, uri in connections.items()},
            **extra,
        }
    )
    (home / "passwords.json").write_text(json.dumps({"admin": "admin"}))
    return env


@contextmanager
def airflow_cluster(
    server_uri: str, connections: dict[str, str], smtp_port: int, home: Path, extra: dict[str, str] | None = None
) -> Iterator[Cluster]:
    """Start the four components against a fresh metadata database; stop them and drop it afterwards."""
    meta_name = f"globalcart_airflow_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server_uri, autocommit=True) as admin:
        admin.execute(sql.SQL("create database {}").format(sql.Identifier(meta_name)))
    meta_uri = with_database(server_uri, meta_name)
    port = free_port()
    home.mkdir(parents=True, exist_ok=True)
    env = cluster_environment(home, meta_uri, port, connections, smtp_port, extra or {})
    cluster = Cluster(home, env, meta_uri, port)
    try:
        cluster.airflow("db", "migrate")
        for name in COMPONENTS:
            args = [name, "--port", str(port)] if name == "api-server" else [name]
            log = (home / f"{name}.log").open("w")
            cluster.processes[name] = subprocess.Popen(
                [AIRFLOW, *args], env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        cluster.wait_for(
            "the DAGs to be parsed",
            lambda: len(cluster.meta("select dag_id from dag where is_stale is false")) >= 2,
            timeout=120,
        )
        yield cluster
    finally:
        for process in cluster.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, 15)
        for process in cluster.processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, 9)
        with psycopg.connect(server_uri, autocommit=True) as admin:
            admin.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(meta_name)))
