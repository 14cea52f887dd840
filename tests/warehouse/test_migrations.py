"""The migration runner: versioned migrations once and locked, definitions re-applied when they change."""

from __future__ import annotations

import shutil
from pathlib import Path

import psycopg
import pytest

from globalcart import db
from globalcart.errors import GlobalCartError
from globalcart.warehouse import migrations
from globalcart.warehouse.migrations import apply_migrations
from tests.support.definitions import copy_definitions

# Three definitions: a function, a view over it, and a view that uses neither.
SCRATCH_DEFINITIONS = {
    "10_audit.scratch_numbers.sql": """
        drop function if exists audit.scratch_numbers() cascade;
        create function audit.scratch_numbers() returns table (n bigint) language sql as $$ select 1::bigint $$;
    """,
    "20_audit.scratch_numbers_view.sql": """
        drop view if exists audit.scratch_numbers_view;
        create view audit.scratch_numbers_view as select * from audit.scratch_numbers();
    """,
    "30_audit.scratch_other.sql": """
        drop view if exists audit.scratch_other;
        create view audit.scratch_other as select 'other' as name;
    """,
}

# The migration lock held in this database, by any session.
ADVISORY_LOCKS = """
    select count(*) from pg_locks
    where locktype = 'advisory' and database = (select oid from pg_database where datname = current_database())
"""


def columns(conn: psycopg.Connection, relation: str) -> list[str]:
    return [c.name for c in conn.execute(f"select * from {relation} limit 0").description]  # noqa: S608 - fixed names


def recorded(conn: psycopg.Connection) -> dict[str, tuple[str, str]]:
    rows = conn.execute("select version, kind, checksum from audit.schema_migrations").fetchall()
    return {version: (kind, checksum) for version, kind, checksum in rows}


@pytest.fixture
def scratch_definitions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "definitions"
    folder.mkdir()
    for name, text in SCRATCH_DEFINITIONS.items():
        (folder / name).write_text(text)
    monkeypatch.setattr(migrations, "DEFINITIONS_DIR", folder)
    return folder


def test_every_file_is_applied_once_and_recorded_with_its_kind(fresh_database: str) -> None:
    with psycopg.connect(fresh_database) as conn:
        first = apply_migrations(conn)
        assert first == migrations.migration_files() + migrations.definition_files()
        assert apply_migrations(conn) == []
        rows = recorded(conn)
    assert {name for name, (kind, _) in rows.items() if kind == "versioned"} == set(migrations.migration_files())
    assert {name for name, (kind, _) in rows.items() if kind == "definition"} == set(migrations.definition_files())


def test_a_changed_versioned_migration_is_refused(
    fresh_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with psycopg.connect(fresh_database) as conn:
        apply_migrations(conn)
        folder = tmp_path / "migrations"
        shutil.copytree(migrations.MIGRATIONS_DIR, folder)
        first = folder / migrations.migration_files()[0]
        first.write_text(first.read_text() + "\n-- edited\n")
        monkeypatch.setattr(migrations, "MIGRATIONS_DIR", folder)
        with pytest.raises(GlobalCartError, match=f"migration {first.name} changed after it was applied"):
            apply_migrations(conn)
        # The lock is released and the connection usable.
        assert conn.execute(ADVISORY_LOCKS).fetchone() == (0,)


def test_a_changed_definition_is_re_applied_with_every_definition_after_it(
    fresh_database: str, scratch_definitions: Path
) -> None:
    said: list[str] = []
    with psycopg.connect(fresh_database) as conn:
        assert apply_migrations(conn, said.append)[-3:] == list(SCRATCH_DEFINITIONS)
        assert said[-3:] == [f"applied definition {name}" for name in SCRATCH_DEFINITIONS]
        assert apply_migrations(conn) == []

        # The view changes: it and the definitions after it run again, the function does not.
        view = scratch_definitions / "20_audit.scratch_numbers_view.sql"
        view.write_text(view.read_text().replace("select *", "select *, n * 2 as doubled"))
        said.clear()
        assert apply_migrations(conn, said.append) == [
            "20_audit.scratch_numbers_view.sql",
            "30_audit.scratch_other.sql",
        ]
        assert said == [
            "re-applied definition 20_audit.scratch_numbers_view.sql: it changed",
            "re-applied definition 30_audit.scratch_other.sql: it comes after 20_audit.scratch_numbers_view.sql",
        ]
        assert columns(conn, "audit.scratch_numbers_view") == ["n", "doubled"]

        # The function gains a result column: dropping it drops the view, which is re-applied after it.
        function = scratch_definitions / "10_audit.scratch_numbers.sql"
        function.write_text(
            function.read_text()
            .replace("(n bigint)", "(n bigint, label text)")
            .replace("1::bigint", "1::bigint, 'one'")
        )
        assert apply_migrations(conn) == list(SCRATCH_DEFINITIONS)
        assert columns(conn, "audit.scratch_numbers_view") == ["n", "label", "doubled"]
        assert apply_migrations(conn) == []

        rows = recorded(conn)
    for name in SCRATCH_DEFINITIONS:
        text = (scratch_definitions / name).read_text()
        assert rows[name] == ("definition", migrations._checksum(text)), name


def test_a_definition_that_fails_leaves_the_last_good_one_in_place(
    fresh_database: str, scratch_definitions: Path
) -> None:
    view = scratch_definitions / "20_audit.scratch_numbers_view.sql"
    with psycopg.connect(fresh_database) as conn:
        apply_migrations(conn)
        good = recorded(conn)["20_audit.scratch_numbers_view.sql"]
        view.write_text(view.read_text().replace("audit.scratch_numbers()", "audit.no_such_function()"))
        with pytest.raises(psycopg.errors.UndefinedFunction):
            apply_migrations(conn)
        # Its transaction rolled back: the view as it was, its old checksum, the lock released.
        assert columns(conn, "audit.scratch_numbers_view") == ["n"]
        assert recorded(conn)["20_audit.scratch_numbers_view.sql"] == good
        assert conn.execute(ADVISORY_LOCKS).fetchone() == (0,)
        view.write_text(
            SCRATCH_DEFINITIONS["20_audit.scratch_numbers_view.sql"].replace("select *", "select *, 0 as z")
        )
        assert apply_migrations(conn) == ["20_audit.scratch_numbers_view.sql", "30_audit.scratch_other.sql"]
        assert columns(conn, "audit.scratch_numbers_view") == ["n", "z"]


def migrate_as_deployed_before_definitions(conn: psycopg.Connection) -> None:
    """What a warehouse deployed before definitions existed holds: migrations 001-013, applied and recorded."""
    db.run_sql_file(conn, "warehouse/create_schema_migrations.sql")
    for name in migrations.migration_files():
        if name >= "014":
            break
        text = (migrations.MIGRATIONS_DIR / name).read_text()
        db.run_sql_script(conn, text)
        conn.execute(
            db.sql_text("warehouse/record_migration.sql"), {"version": name, "checksum": migrations._checksum(text)}
        )
    conn.commit()


def assert_kpi_objects_live_in_kpi(conn: psycopg.Connection) -> None:
    # marts holds tables only; the KPI definitions and their marks are in kpi.
    kinds = conn.execute(
        "select distinct relkind::text from pg_class where relnamespace = 'marts'::regnamespace and relkind <> 'i'"
    ).fetchall()
    assert kinds == [("r",)]
    assert conn.execute("select count(*) from pg_proc where pronamespace = 'marts'::regnamespace").fetchone() == (0,)
    relations = conn.execute(
        "select relname, relkind::text from pg_class where relnamespace = 'kpi'::regnamespace and relkind in ('r', 'v')"
    ).fetchall()
    assert sorted(relations) == [("kpi_day_parts", "r"), ("kpi_dirty_days", "r"), ("kpi_values", "v")]
    functions = conn.execute("select proname from pg_proc where pronamespace = 'kpi'::regnamespace").fetchall()
    assert sorted(functions) == [
        ("comment_published_tables",),
        ("date_key",),
        ("kpi_cube_parts_between",),
        ("kpi_day_parts_between",),
        ("kpi_values_between",),
        ("mark_kpi_days_dirty",),
    ]
    # Every fact's insert, update, delete and truncate, and the members' updates, mark days; every
    # fact's insert and update extends the calendar; the four audit tables the dashboards read copy
    # themselves into marts (row changes, and a truncate of the watermarks); every change to the order
    # lines and return lines notes its orders for the analytics' state.
    triggers = conn.execute("select tgfoid::regproc::text from pg_trigger where not tgisinternal").fetchall()
    assert sorted(triggers) == (
        [("analytics.note_changed_orders",)] * (2 * 4)
        + [("audit.publish_operations_status",)] * (4 + 1)
        + [("dw.extend_calendar",)] * (4 * 2)
        + [("kpi.mark_kpi_days_dirty",)] * (4 * 4 + 2)
    )


def test_a_fresh_warehouse_keeps_its_kpi_definitions_out_of_marts(fresh_database: str) -> None:
    with psycopg.connect(fresh_database) as conn:
        apply_migrations(conn)
        assert_kpi_objects_live_in_kpi(conn)


def test_a_warehouse_migrated_before_the_kpi_schema_moves_its_marks_and_keeps_them(fresh_database: str) -> None:
    with psycopg.connect(fresh_database) as conn:
        migrate_as_deployed_before_definitions(conn)
        conn.execute("insert into marts.kpi_dirty_days (calendar_date) values ('2026-03-02'), ('2026-03-05')")
        conn.execute("grant select on marts.kpi_dirty_days to public")
        conn.commit()
        marks = conn.execute("select * from marts.kpi_dirty_days order by marked_id").fetchall()

        applied = apply_migrations(conn)
        assert applied == [name for name in migrations.migration_files() if name >= "014"] + (
            migrations.definition_files()
        )
        assert_kpi_objects_live_in_kpi(conn)
        kept = conn.execute("select * from kpi.kpi_dirty_days where calendar_date > '-infinity' order by marked_id")
        assert kept.fetchall() == marks
        # Only its owner may read it now.
        grantees = conn.execute(
            "select distinct a.grantee = c.relowner from pg_class as c cross join lateral aclexplode(c.relacl) as a"
            " where c.oid = 'kpi.kpi_dirty_days'::regclass"
        ).fetchall()
        assert grantees == [(True,)]
        # The triggers write to the moved table, numbering on after its old rows.
        conn.execute("truncate dw.fct_return_line")
        newest = conn.execute(
            "select marked_id, calendar_date::text from kpi.kpi_dirty_days order by marked_id desc"
        ).fetchone()
        assert newest[0] > marks[-1][0]
        assert newest[1] == "-infinity"


@pytest.mark.parametrize("definition", ["10_kpi.kpi_values_between.sql", "30_kpi.mark_kpi_days_dirty.sql"])
def test_re_applying_a_kpi_definition_marks_every_day_dirty(
    fresh_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, definition: str
) -> None:
    every_day = "select count(*) from kpi.kpi_dirty_days where calendar_date = '-infinity'"
    with psycopg.connect(fresh_database) as conn:
        apply_migrations(conn)
        conn.execute("delete from kpi.kpi_dirty_days")
        conn.commit()
        path = copy_definitions(tmp_path / "definitions", monkeypatch) / definition
        path.write_text(path.read_text() + "\n-- edited\n")
        assert apply_migrations(conn)[0] == definition
        assert conn.execute(every_day).fetchone()[0] >= 1
