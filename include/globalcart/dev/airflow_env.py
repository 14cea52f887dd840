"""The environment Airflow runs with in local mode.

Airflow reads its settings and connections from environment variables; this is
the one place that says what they are, for ``make airflow``, ``globalcart
airflow ...``, the demo and the tests. A variable already set in the caller's
environment wins, so the same code can point at another PostgreSQL.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import MutableMapping

from globalcart import settings


def airflow_port() -> str:
    """The API server's port: Airflow's own variable if set, else the project's (default 8080)."""
    return os.environ.get("AIRFLOW__API__PORT") or os.environ.get("GLOBALCART_AIRFLOW_PORT", "8080")


def airflow_environment() -> dict[str, str]:
    home = settings.LOCAL_DIR / "airflow"
    port = airflow_port()
    defaults = {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(settings.PROJECT_DIR / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(settings.PROJECT_DIR / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
        "AIRFLOW__API__PORT": port,
        # Task processes call the execution API and e-mails link to the UI: both must follow the port,
        # or every task dies before it starts when the port moves off Airflow's default.
        "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{port}",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
        # The project's DAGs run once started locally; docker-compose starts them paused.
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        # Local mode is for development: it has the simulator DAG that moves the demo shop forward.
        "GLOBALCART_DEV_DAGS": "true",
        settings.conn_env_var(settings.SOURCE_CONN_ID): settings.SOURCE.uri,
        settings.conn_env_var(settings.WAREHOUSE_CONN_ID): settings.WAREHOUSE.uri,
        # Alert emails go to a local SMTP server (`make mailbox` prints what arrives).
        "AIRFLOW_CONN_SMTP_DEFAULT": json.dumps(
            {
                "conn_type": "smtp",
                "host": "127.0.0.1",
                "port": int(os.environ.get("GLOBALCART_SMTP_PORT", "8025")),
                "extra": {"disable_ssl": True, "disable_tls": True, "timeout": 10, "retry_limit": 1},
            }
        ),
    }
    return {key: os.environ.get(key, value) for key, value in defaults.items()}


def prepare_airflow_home(env: MutableMapping[str, str]) -> None:
    os.makedirs(env["AIRFLOW_HOME"], exist_ok=True)
    # `airflow standalone` starts its components as `airflow ...` found on PATH: put this environment's first.
    bin_dir = os.path.dirname(sys.executable)
    if env.get("PATH", "").split(os.pathsep)[0] != bin_dir:
        env["PATH"] = os.pathsep.join([bin_dir, env.get("PATH", "")])


def apply_airflow_environment() -> None:
    """Set the local-mode Airflow variables in this process (before Airflow is imported)."""
    env = airflow_environment()
    os.environ.update(env)
    prepare_airflow_home(os.environ)
