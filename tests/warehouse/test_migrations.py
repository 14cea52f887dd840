"""The migration runner: versioned migrations once and locked, definitions re-applied when they change."""

from __future__ import annotations

import shutil
from pathlib import Path

import psycopg
import pytest

from globalcart.errors import GlobalCartError
from globalcart.warehouse import migrations
from globalcart.warehouse.migrations import apply_migrations

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
