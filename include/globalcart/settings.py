"""Where things are: project paths and the two PostgreSQL databases.

Connection URIs come from the same environment variables Airflow reads
(``AIRFLOW_CONN_GLOBALCART_SOURCE``, ``AIRFLOW_CONN_GLOBALCART_WAREHOUSE`` and,
for the demo shop's own writes, ``AIRFLOW_CONN_GLOBALCART_SHOP``), so the CLI,
the tests and the DAGs always talk to the same databases. When they are unset,
they point at the embedded PostgreSQL server of the local stack.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

PACKAGE_DIR = Path(__file__).resolve().parent
INCLUDE_DIR = PACKAGE_DIR.parent
SQL_DIR = Path(os.environ.get("GLOBALCART_SQL_DIR", INCLUDE_DIR / "sql"))
PROJECT_DIR = INCLUDE_DIR.parent
LOCAL_DIR = Path(os.environ.get("GLOBALCART_LOCAL_DIR", PROJECT_DIR / ".local"))
# Great Expectations' Data Docs, one folder per run.
DATA_DOCS_DIR = Path(os.environ.get("GLOBALCART_DATA_DOCS_DIR", LOCAL_DIR / "data_docs"))

SOURCE_CONN_ID = "globalcart_source"
WAREHOUSE_CONN_ID = "globalcart_warehouse"
SHOP_CONN_ID = "globalcart_shop"
# The BI role's connection: the dashboards read the published marts through it only.
BI_CONN_ID = "globalcart_bi"
BI_ROLE = "globalcart_bi"
# A publication older than this is stale: on-call is alerted, the dashboards say so.
FRESHNESS_MINUTES = int(os.environ.get("GLOBALCART_FRESHNESS_MINUTES", "60"))

EMBEDDED_HOST = "127.0.0.1"
DEFAULT_EMBEDDED_PORT = 54329
SOURCE_DATABASE = "globalcart_source"
WAREHOUSE_DATABASE = "globalcart_warehouse"


def embedded_port() -> int:
    raw = os.environ.get("GLOBALCART_PG_PORT", str(DEFAULT_EMBEDDED_PORT))
    try:
        port = int(raw)
    except ValueError:
        raise ValueError(f"GLOBALCART_PG_PORT must be a port number, got {raw!r}") from None
    if not 1 <= port <= 65535:
        raise ValueError(f"GLOBALCART_PG_PORT must be between 1 and 65535, got {port}")
    return port


def embedded_uri(database: str) -> str:
    return f"postgresql://postgres@{EMBEDDED_HOST}:{embedded_port()}/{database}"


def conn_env_var(conn_id: str) -> str:
    return f"AIRFLOW_CONN_{conn_id.upper()}"


@dataclass(frozen=True)
class Database:
    """One of the project's databases, known by its Airflow connection id.

    Its URI comes from ``fixed_uri`` when given (a task resolves it through
    Airflow's connections), else from the ``AIRFLOW_CONN_*`` variable, else from
    the embedded server.
    """

    conn_id: str
    default_database: str
    fixed_uri: str | None = None
    same_as: str | None = None  # another connection id to follow when this one is not set
    as_user: str | None = None  # when following another connection (or the embedded server), log in as this role

    @property
    def uri(self) -> str:
        own = self.fixed_uri or os.environ.get(conn_env_var(self.conn_id))
        if own:
            return own
        followed = (self.same_as and os.environ.get(conn_env_var(self.same_as))) or embedded_uri(self.default_database)
        return followed if self.as_user is None else with_user(followed, self.as_user)

    def at(self, uri: str) -> Database:
        """The same database role, at another URI."""
        return Database(self.conn_id, self.default_database, uri, self.same_as, self.as_user)

    @property
    def is_external(self) -> bool:
        """True when the database lives on some other server than the local embedded one."""
        parts = urlsplit(self.uri)
        return (parts.hostname, parts.port) != (EMBEDDED_HOST, embedded_port())

    @property
    def name(self) -> str:
        return urlsplit(self.uri).path.lstrip("/")

    def display_uri(self) -> str:
        """The URI with any password masked, safe for logs and messages."""
        return mask_password(self.uri)


SOURCE = Database(SOURCE_CONN_ID, SOURCE_DATABASE)
WAREHOUSE = Database(WAREHOUSE_CONN_ID, WAREHOUSE_DATABASE)
# The shop's own role on the source database: only the generator and the simulator write with it.
# The pipeline reads the source through SOURCE, a role that can only read. Unset, it is SOURCE.
SHOP = Database(SHOP_CONN_ID, SOURCE_DATABASE, same_as=SOURCE_CONN_ID)
# Read only, published marts only. Unset: the BI role, without a password, on the warehouse's
# server and database (the local stack trusts its roles; elsewhere set AIRFLOW_CONN_GLOBALCART_BI).
BI = Database(BI_CONN_ID, WAREHOUSE_DATABASE, same_as=WAREHOUSE_CONN_ID, as_user=BI_ROLE)


def with_user(uri: str, user: str) -> str:
    """The same server and database, logged in to as ``user`` (no password)."""
    parts = urlsplit(uri)
    host = parts.hostname or ""
    netloc = f"{user}@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def mask_password(uri: str) -> str:
    parts = urlsplit(uri)
    if parts.password is None:
        return uri
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def libpq_uri(uri: str) -> str:
    """Airflow accepts ``postgres://``; libpq wants ``postgresql://``."""
    if uri.startswith("postgres://"):
        return "postgresql://" + uri.removeprefix("postgres://")
    return uri
