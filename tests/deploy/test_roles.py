"""Least privilege, shown by connecting as each role to a server provisioned the way docker-compose provisions it.

`provision` (what `globalcart provision` and compose's airflow-init run) creates the
roles, the two databases and the grants, and migrates the warehouse as the loading
role. The pipeline then runs for real with the production split of roles: the shop's
generator writes as globalcart_shop, extraction reads as globalcart_extract, the
load, the gate and the analytics write as globalcart_load. Then each role is tried
on what it may and may not do.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql

from globalcart import settings
from globalcart.marts.catalog import PUBLISHED_TABLES
from globalcart.provision import ROLES, provision
from tests.support.stack import SHOP_ENV, SOURCE_ENV, WAREHOUSE_ENV


def as_role(server_uri: str, role: str, database: str, password: str) -> str:
    parts = urlsplit(server_uri)
    return urlunsplit(parts._replace(netloc=f"{role}:{password}@{parts.hostname}:{parts.port}", path=f"/{database}"))


@dataclass
class Provisioned:
    server_uri: str
    source: str  # database names
    warehouse: str
    passwords: dict[str, str]
    logged: list[str]
    data_docs: Path

    def uri(self, key: str, database: str) -> str:
        role, _ = ROLES[key]
        return as_role(self.server_uri, role, database, self.passwords[f"{key}_password"])


@pytest.fixture(scope="module")
def provisioned(server_uri: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Provisioned]:
    from globalcart.pipelines.analytics import run_analytics
    from globalcart.pipelines.incremental import run_incremental
    from globalcart.source.history import load_history

    suffix = uuid.uuid4().hex[:10]
    names = (f"globalcart_roles_source_{suffix}", f"globalcart_roles_warehouse_{suffix}")
    passwords = {f"{key}_password": f"pw-{key}-{uuid.uuid4().hex}" for key in ROLES}
    data_docs = tmp_path_factory.mktemp("data_docs")
    logged: list[str] = []
    state = Provisioned(server_uri, *names, passwords, logged, data_docs)
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv(SHOP_ENV, state.uri("shop", state.source))
            patch.setenv(SOURCE_ENV, state.uri("extract", state.source))
            patch.setenv(WAREHOUSE_ENV, state.uri("load", state.warehouse))
            source, warehouse = (
                settings.SOURCE.at(state.uri("extract", state.source)),
                settings.WAREHOUSE.at(state.uri("load", state.warehouse)),
            )
            admin = settings.Database("globalcart_admin", "postgres", server_uri)
            provision(admin, source=source, warehouse=warehouse, passwords=passwords, progress=logged.append)
            provision(admin, source=source, warehouse=warehouse, passwords=passwords, progress=logged.append)
            load_history(order_lines=3_000, days=60, end_date=datetime.now(UTC).date(), seed=3, progress=logged.append)
            summary = run_incremental(
                source=source, warehouse=warehouse, send_alert=lambda *a: logged.extend(a), progress=logged.append
            )
            assert summary.published, [check.name for check in summary.checks if check.failed]
            run_analytics(
                warehouse,
                f"analytics:roles_{suffix}",
                send_alert=lambda *a: logged.extend(a),
                data_docs_dir=data_docs,
                progress=logged.append,
            )
            yield state
    finally:
        with psycopg.connect(server_uri, autocommit=True) as admin_conn:
            for name in names:
                admin_conn.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))


def tries(uri: str, statement: str) -> str:
    """'ok', 'no connection' (the role may not connect), or the name of the error the statement raised."""
    try:
        conn = psycopg.connect(uri, autocommit=True)
    except psycopg.OperationalError as exc:
        assert "permission denied for database" in str(exc)
        return "no connection"
    with conn:
        try:
            conn.execute(statement)
        except psycopg.Error as exc:
            return type(exc).__name__
    return "ok"


def test_provisioning_creates_the_roles_and_databases_once(provisioned: Provisioned) -> None:
    with psycopg.connect(provisioned.server_uri) as conn:
        owners = dict(
            conn.execute(
                "select d.datname, r.rolname from pg_database as d join pg_roles as r on r.oid = d.datdba"
                " where d.datname = any(%s)",
                ([provisioned.source, provisioned.warehouse],),
            ).fetchall()
        )
        schemas = dict(
            psycopg.connect(provisioned.uri("load", provisioned.warehouse))
            .execute("select nspname, pg_get_userbyid(nspowner) from pg_namespace where nspname not like 'pg_%'")
            .fetchall()
        )
    assert owners == {provisioned.source: "globalcart_shop", provisioned.warehouse: "globalcart_load"}
    for schema in ("staging", "mirror", "dw", "kpi", "marts", "audit", "candidate"):
        assert schemas[schema] == "globalcart_load", schema
    # Run twice: the second run found everything in place and applied no migration.
    assert provisioned.logged.count("warehouse migrations: 0 applied as globalcart_load") == 1


def test_the_extraction_role_reads_the_source_and_cannot_write_it(provisioned: Provisioned) -> None:
    uri = provisioned.uri("extract", provisioned.source)
    assert tries(uri, "select count(*) from shop.orders") == "ok"
    # It sees other sessions' open transactions, which the extraction's watermark guard needs.
    assert tries(uri, "select 1 / pg_has_role('pg_read_all_stats', 'member')::int") == "ok"
    for statement in (
        "insert into shop.carriers (carrier_code, carrier_name) values ('x', 'X')",
        "update shop.orders set status = status",
        "delete from shop.returns",
        "create table shop.sneaky (id int)",
        "create table public.sneaky (id int)",
        "create temp table sneaky (id int)",
        "truncate shop.orders",
    ):
        assert tries(uri, statement) == "InsufficientPrivilege", statement
    assert tries(provisioned.uri("extract", provisioned.warehouse), "select 1") == "no connection"


def test_bi_reads_the_published_marts_and_nothing_else(provisioned: Provisioned) -> None:
    uri = provisioned.uri("bi", provisioned.warehouse)
    # Published tables were swapped in from candidate by the runs above, and are readable.
    for table in (
        "kpi_daily",
        "kpi_monthly",
        "kpi_cube_daily",
        "kpi_catalog",
        "customer_rfm",
        "revenue_forecast",
        "analytics_status",
    ):
        with psycopg.connect(uri) as conn:
            assert conn.execute(f"select count(*) from marts.{table}").fetchone()[0] > 0, table  # noqa: S608
    for statement in (
        "select * from staging.order_items limit 1",
        "select * from audit.load_runs limit 1",
        "select * from audit.quality_results limit 1",
        "select * from dw.fct_order_line limit 1",
        "select * from mirror.orders limit 1",
        "select * from candidate.analytics_build limit 1",
        "insert into marts.kpi_catalog select * from marts.kpi_catalog",
        "update marts.kpi_daily set net_sales = 0",
        "delete from marts.customer_rfm",
        "drop table marts.kpi_daily",
        "create table marts.sneaky (id int)",
        "create table public.sneaky (id int)",
        "create temp table sneaky (id int)",
    ):
        assert tries(uri, statement) == "InsufficientPrivilege", statement
    assert tries(provisioned.uri("bi", provisioned.source), "select 1") == "no connection"


# What the gate has not passed, or what only the pipeline reads.
UNPUBLISHED_SCHEMAS = ("kpi", "dw", "mirror", "staging", "candidate", "audit", "analytics")


def test_bi_reads_every_object_in_marts_and_none_outside(provisioned: Provisioned) -> None:
    schemas = ["marts", *UNPUBLISHED_SCHEMAS]
    with psycopg.connect(provisioned.uri("load", provisioned.warehouse)) as conn:
        relations = conn.execute(
            "select n.nspname, c.relname, c.relkind::text from pg_class as c"
            " join pg_namespace as n on n.oid = c.relnamespace"
            " where n.nspname = any(%s) and c.relkind not in ('i', 'I', 't', 'S', 'c') order by 1, 2",
            (schemas,),
        ).fetchall()
        functions_in_marts = conn.execute(
            "select count(*) from pg_proc where pronamespace = 'marts'::regnamespace"
        ).fetchone()
        bi_may_read_marks = conn.execute(
            "select has_table_privilege('globalcart_bi', 'kpi.kpi_dirty_days', 'select')"
        ).fetchone()
    published = [sql.Identifier(schema, name) for schema, name, _ in relations if schema == "marts"]
    unpublished = [sql.Identifier(schema, name) for schema, name, _ in relations if schema != "marts"]
    assert {"kpi_daily", "kpi_monthly", "kpi_cube_daily", "kpi_catalog", "customer_rfm"} <= {
        name for _, name, _ in relations
    }
    assert {schema for schema, _, _ in relations} == set(schemas)
    # marts holds the tables publications swapped in, and no view or function over unpublished data.
    assert {kind for schema, _, kind in relations if schema == "marts"} == {"r"}
    assert functions_in_marts == (0,)
    # The dirty-day marks kept no grant from their time in marts.
    assert bi_may_read_marks == (False,)

    uri = provisioned.uri("bi", provisioned.warehouse)
    with psycopg.connect(uri, autocommit=True) as conn:
        for relation in published:
            conn.execute(sql.SQL("select * from {} limit 1").format(relation))
    refused = {
        relation.as_string(): tries(uri, sql.SQL("select * from {} limit 1").format(relation).as_string())
        for relation in unpublished
    }
    assert set(refused.values()) == {"InsufficientPrivilege"}, refused
    # Every published table and column carries the catalog's definition, which BI tools show next to the field.
    with psycopg.connect(uri) as conn:
        comments = conn.execute(
            "select c.relname, a.attname, obj_description(c.oid, 'pg_class'), col_description(c.oid, a.attnum)"
            " from pg_class as c join pg_attribute as a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped"
            " where c.relnamespace = 'marts'::regnamespace and c.relkind = 'r'"
        ).fetchall()
    defined = {table.name: table for table in PUBLISHED_TABLES}
    assert {table for table, *_ in comments} == set(defined)
    for table, column, table_comment, column_comment in comments:
        assert table_comment == defined[table].description, table
        assert column_comment == defined[table].columns[column], (table, column)
    # The objects that moved out of marts, by name: refused where they are, gone from marts.
    for statement in (
        "select * from kpi.kpi_values limit 1",
        "select * from kpi.kpi_values_between('2020-01-01', '2020-01-31')",
        "select * from kpi.kpi_dirty_days limit 1",
        "select kpi.mark_kpi_days_dirty()",
    ):
        assert tries(uri, statement) == "InsufficientPrivilege", statement
    for statement, error in (
        ("select * from marts.kpi_values limit 1", "UndefinedTable"),
        ("select * from marts.kpi_values_between('2020-01-01', '2020-01-31')", "UndefinedFunction"),
        ("select * from marts.kpi_dirty_days limit 1", "UndefinedTable"),
        ("select marts.mark_kpi_days_dirty()", "UndefinedFunction"),
    ):
        assert tries(uri, statement) == error, statement


def test_the_loading_role_owns_the_warehouse_and_cannot_touch_the_source(provisioned: Provisioned) -> None:
    uri = provisioned.uri("load", provisioned.warehouse)
    assert tries(uri, "create table staging.scratch (id int); drop table staging.scratch") == "ok"
    assert tries(provisioned.uri("load", provisioned.source), "select 1") == "no connection"


def test_no_password_is_printed_stored_or_emailed(provisioned: Provisioned) -> None:
    secrets = list(provisioned.passwords.values())
    logged = "\n".join(str(line) for line in provisioned.logged)
    assert "published" in logged
    docs = "\n".join(path.read_text(errors="replace") for path in provisioned.data_docs.rglob("*") if path.is_file())
    assert "analytics:roles_" in docs or "analytics_roles_" in docs
    with psycopg.connect(provisioned.uri("load", provisioned.warehouse)) as conn:
        stored = "\n".join(
            str(row)
            for table in ("audit.load_runs", "audit.quality_results", "audit.publications", "marts.analytics_status")
            for row in conn.execute(f"select * from {table}").fetchall()  # noqa: S608 - names above
        )
    for secret in secrets:
        assert secret not in logged
        assert secret not in docs
        assert secret not in stored
