"""A real Airflow for tests (``globalcart.dev.cluster``), and a PostgreSQL server a test may stop and start."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from globalcart import settings
from globalcart.dev.cluster import Cluster, airflow_cluster, free_port

GLOBALCART = str(Path(sys.executable).with_name("globalcart"))

__all__ = ["Cluster", "airflow_cluster", "second_server"]


@contextmanager
def second_server(home: Path) -> Iterator[tuple[str, Callable[[], None], Callable[[], None]]]:
    """A PostgreSQL server of its own (the embedded one, in ``home``); yields its URI, ``stop`` and ``start``."""
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("AIRFLOW_CONN_GLOBALCART")}
    env |= {"GLOBALCART_LOCAL_DIR": str(home), "GLOBALCART_PG_PORT": str(port)}

    def run(command: str) -> None:
        subprocess.run([GLOBALCART, command], env=env, check=True, capture_output=True, timeout=120)

    run("up")
    try:
        yield f"postgresql://postgres@{settings.EMBEDDED_HOST}:{port}/postgres", lambda: run("down"), lambda: run("up")
    finally:
        run("reset")
