"""The command line: bad input gets one clear line and a non-zero exit, and changes nothing."""

from __future__ import annotations

import os
import subprocess
import sys

import psycopg
import pytest

from globalcart import settings


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "globalcart", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=300,
        check=False,
    )


def assert_one_line_error(result: subprocess.CompletedProcess, expected: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert expected in lines[0]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["generate", "--order-lines", "-5"], "must be greater than 0"),
        (["generate", "--order-lines", "lots"], "expected a whole number"),
        (["generate", "--days", "0"], "must be greater than 0"),
        (["generate", "--end-date", "yesterday"], "expected a date as YYYY-MM-DD"),
        (["generate", "--bogus"], "unrecognized arguments: --bogus"),
        (["simulate", "--steps", "0"], "must be greater than 0"),
        (["simulate", "--hard-case", "meteor"], "invalid choice: 'meteor'"),
        (["analytics", "--as-of", "last week"], "expected a date as YYYY-MM-DD"),
        (["analytics", "--horizon-days", "0"], "must be greater than 0"),
        (["fly"], "invalid choice: 'fly'"),
    ],
)
def test_invalid_options_are_one_line_errors(args: list[str], expected: str) -> None:
    result = run_cli(*args)
    assert result.returncode == 2
    assert_one_line_error(result, expected)


def test_unreachable_database_is_a_one_line_error() -> None:
    unreachable = {settings.conn_env_var(settings.SOURCE_CONN_ID): "postgresql://postgres@127.0.0.1:9/nowhere"}
    for command in (["simulate"], ["generate", "--order-lines", "1000", "--days", "30"]):
        result = run_cli(*command, env=unreachable)
        assert result.returncode == 1
        # The generator and the simulator write as the shop, which follows the source connection when unset.
        assert_one_line_error(result, "cannot connect to the globalcart_shop database")


def test_analytics_errors_are_one_line_and_publish_nothing(fresh_database: str) -> None:
    env = {settings.conn_env_var(settings.WAREHOUSE_CONN_ID): fresh_database}
    assert_one_line_error(run_cli("analytics", "--horizon-days", "1000", env=env), "must be 1 to 730 days, got 1000")
    unreachable = {settings.conn_env_var(settings.WAREHOUSE_CONN_ID): "postgresql://postgres@127.0.0.1:9/nowhere"}
    assert_one_line_error(run_cli("analytics", env=unreachable), "cannot connect to the globalcart_warehouse database")
    with psycopg.connect(fresh_database) as conn:
        assert conn.execute("select to_regclass('marts.customer_rfm')").fetchone() == (None,)


def test_simulate_before_generate_says_what_to_do(source_uri: str) -> None:
    result = run_cli("simulate", env={settings.conn_env_var(settings.SOURCE_CONN_ID): source_uri})
    assert_one_line_error(result, "run `globalcart generate` first")


def _fingerprint(uri: str) -> tuple:
    with psycopg.connect(uri) as conn:
        return conn.execute(
            "select (select count(*) from shop.orders), (select count(*) from shop.order_items),"
            " (select max(updated_at) from shop.orders), (select manifest::text from sim.manifest)"
        ).fetchone()


def test_generate_refuses_to_overwrite_and_bad_replace_keeps_the_old_history(source_uri: str) -> None:
    env = {settings.conn_env_var(settings.SOURCE_CONN_ID): source_uri}
    first = run_cli("generate", "--order-lines", "3000", "--days", "60", "--end-date", "2026-01-01", env=env)
    assert first.returncode == 0, first.stderr
    before = _fingerprint(source_uri)

    again = run_cli("generate", "--order-lines", "3000", "--days", "60", env=env)
    assert_one_line_error(again, "already has a shop schema")
    assert _fingerprint(source_uri) == before

    # A replacement that the generator rejects rolls back the drop of the old history too.
    too_big = run_cli("generate", "--replace", "--order-lines", "999999999999", env=env)
    assert too_big.returncode == 1
    assert "Traceback" not in too_big.stderr
    assert _fingerprint(source_uri) == before
