"""Provision a PostgreSQL server for GlobalCart 360: roles, databases, grants, then the warehouse migrations.

``globalcart provision`` runs this; docker-compose's ``airflow-init`` service runs
the same command, and the tests run it against the local PostgreSQL. Every step
is safe to repeat. Four roles (``include/sql/roles/create_roles.sql``):

- ``globalcart_shop`` owns the source database (the demo's generator and simulator write as it);
- ``globalcart_extract`` reads the source and nothing else;
- ``globalcart_load`` owns the warehouse's schemas; the pipeline's migrations and runs use it;
- ``globalcart_bi`` reads the published ``marts`` tables and nothing else.

The admin connection comes from ``GLOBALCART_ADMIN_URI`` (default: the local
embedded server) and the role passwords from ``GLOBALCART_*_PASSWORD``; neither is
stored in the project nor printed.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from urllib.parse import urlsplit, urlunsplit

from psycopg import sql

from globalcart import db
from globalcart.errors import GlobalCartError
from globalcart.settings import SOURCE, WAREHOUSE, Database, embedded_uri
from globalcart.warehouse.migrations import apply_migrations

ADMIN_URI_VARIABLE = "GLOBALCART_ADMIN_URI"
ROLES = {
    "shop": ("globalcart_shop", "GLOBALCART_SHOP_PASSWORD"),
    "extract": ("globalcart_extract", "GLOBALCART_EXTRACT_PASSWORD"),
    "load": ("globalcart_load", "GLOBALCART_LOAD_PASSWORD"),
    "bi": ("globalcart_bi", "GLOBALCART_BI_PASSWORD"),
}


def admin_database(environ: Mapping[str, str] = os.environ) -> Database:
    """A superuser (or CREATEROLE and CREATEDB) connection to the server's maintenance database."""
    return Database("globalcart_admin", "postgres", environ.get(ADMIN_URI_VARIABLE) or embedded_uri("postgres"))


def role_passwords(environ: Mapping[str, str] = os.environ) -> dict[str, str] | None:
    """The four role passwords, or None when none is set (a server that trusts local connections)."""
    values = {f"{key}_password": environ.get(variable, "") for key, (_, variable) in ROLES.items()}
    missing = [variable for key, (_, variable) in ROLES.items() if not values[f"{key}_password"]]
    if len(missing) == len(ROLES):
        return None
    if missing:
        raise GlobalCartError(f"set every role password or none; missing: {', '.join(missing)}")
    return values


def _at_database(database: Database, name: str) -> Database:
    return database.at(urlunsplit(urlsplit(database.uri)._replace(path=f"/{name}")))


def provision(
    admin: Database,
    *,
    source: Database = SOURCE,
    warehouse: Database = WAREHOUSE,
    passwords: dict[str, str] | None = None,
    progress: Callable[[str], None] = lambda _: None,
) -> None:
    """Create the roles and the two databases if missing, grant, and migrate the warehouse as its loading role."""
    with db.connect(admin, autocommit=True) as conn:
        db.run_sql_file(conn, "roles/create_roles.sql")
        progress("roles: " + ", ".join(role for role, _ in ROLES.values()))
        if passwords is not None:
            db.execute_statements(conn, "roles/set_role_passwords.sql", passwords)
            progress("role passwords set from the environment")
        for database, owner in ((source, ROLES["shop"][0]), (warehouse, ROLES["load"][0])):
            ((exists,),) = db.fetch_all(conn, "roles/select_database_exists.sql", {"database_name": database.name})
            if exists:
                progress(f"database {database.name}: exists")
                continue
            statement = sql.SQL(db.sql_text("roles/create_database.sql")).format(
                database=sql.Identifier(database.name), owner=sql.Identifier(owner)
            )
            conn.execute(statement)
            progress(f"database {database.name}: created, owned by {owner}")
    for database, grants in ((source, "roles/grant_source_roles.sql"), (warehouse, "roles/grant_warehouse_roles.sql")):
        with db.connect(_at_database(admin, database.name), autocommit=True) as conn:
            db.run_sql_file(conn, grants)
        progress(f"database {database.name}: grants applied")
    with db.connect(warehouse) as conn:
        applied = apply_migrations(conn, progress=progress)
    user = urlsplit(warehouse.uri).username or "the connection's default user"
    progress(f"warehouse migrations: {len(applied)} applied as {user}")
