"""Writers that commit in an awkward order, against a real source: the mirror still ends equal to the source.

Each test holds real connections to the source open and interleaves their writes with incremental
runs, the way a slow checkout, a batch job or a transaction coordinator would meet the pipeline.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql

from globalcart.errors import GlobalCartError
from tests.support.stack import Stack

ORDERS = "select order_id, channel, status, updated_at from {} order by order_id"


def assert_mirror_equals_source(stack: Stack) -> None:
    source = stack.source_sql(ORDERS.format("shop.orders"))
    mirrored = stack.warehouse_sql(ORDERS.format("mirror.orders"))
    missing_or_stale = sorted(set(source) - set(mirrored))
    assert missing_or_stale == [], f"{len(missing_or_stale)} source rows not in the mirror as they are"
    assert len(mirrored) == len(source)


def two_orders(stack: Stack) -> tuple[int, int]:
    first, second = stack.source_sql(
        "select order_id from shop.orders where channel <> 'phone' order by order_id limit 2"
    )
    return first[0], second[0]


def channel_in_mirror(stack: Stack, order_id: int) -> str:
    return stack.warehouse_sql("select channel from mirror.orders where order_id = %s", (order_id,))[0][0]


def test_a_long_transaction_that_rewrites_a_row_after_a_later_transaction_committed_it(stack: Stack) -> None:
    stack.run()
    order_id, other_id = two_orders(stack)
    with psycopg.connect(stack.source.uri) as long, psycopg.connect(stack.source.uri, autocommit=True) as short:
        # The long transaction starts writing (a slow batch job) ...
        long.execute("update shop.orders set channel = 'marketplace' where order_id = %s", (other_id,))
        # ... a later, short one changes the row and commits ...
        short.execute("update shop.orders set channel = 'mobile_app' where order_id = %s", (order_id,))
        stack.run()  # reads the short one's version while the long transaction is still open
        assert channel_in_mirror(stack, order_id) == "mobile_app"
        # ... then the long one writes the same row, after the short one committed, and commits last.
        long.execute("update shop.orders set channel = 'phone' where order_id = %s", (order_id,))
        long.commit()
    stack.run()
    assert channel_in_mirror(stack, order_id) == "phone"
    assert_mirror_equals_source(stack)


def test_a_long_transaction_that_waited_for_a_later_transaction_s_row_lock(stack: Stack) -> None:
    stack.run()
    order_id, other_id = two_orders(stack)
    with psycopg.connect(stack.source.uri) as long, psycopg.connect(stack.source.uri) as short:
        long.execute("update shop.orders set channel = 'marketplace' where order_id = %s", (other_id,))
        # The later transaction takes the row first and holds it ...
        short.execute("update shop.orders set channel = 'mobile_app' where order_id = %s", (order_id,))
        # ... the long one's update of the same row waits for it ...
        waiting = threading.Thread(
            target=long.execute, args=("update shop.orders set channel = 'phone' where order_id = %s", (order_id,))
        )
        waiting.start()
        wait_for_lock_wait(stack, long.info.backend_pid)
        short.commit()  # ... and goes on once the later one has committed.
        waiting.join(timeout=30)
        assert not waiting.is_alive()
        stack.run()  # the long transaction is still open
        assert channel_in_mirror(stack, order_id) == "mobile_app"
        long.commit()
    stack.run()
    assert channel_in_mirror(stack, order_id) == "phone"
    assert_mirror_equals_source(stack)


def wait_for_lock_wait(stack: Stack, pid: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if stack.source_sql("select 1 from pg_stat_activity where pid = %s and wait_event_type = 'Lock'", (pid,)):
            return
        time.sleep(0.05)
    raise AssertionError(f"backend {pid} never waited for the row lock")


@contextmanager
def prepared_transaction(stack: Stack, statements: list[tuple[str, tuple]]) -> Iterator[str]:
    """Run ``statements`` in a transaction and PREPARE it (two-phase commit); yields its gid.

    Whatever happens, the transaction does not outlive the test: a prepared transaction left behind
    would hold its locks and keep the scratch database from being dropped.
    """
    (setting,) = stack.source_sql("show max_prepared_transactions")[0]
    if int(setting) == 0:
        pytest.fail(
            "the test server has max_prepared_transactions = 0; the local server sets it when it starts"
            " (restart it: make down && make up), another server needs it in postgresql.conf"
        )
    gid = f"globalcart-test-{uuid.uuid4().hex[:12]}"
    with psycopg.connect(stack.source.uri) as conn:
        for statement, params in statements:
            conn.execute(statement, params)
        conn.execute(sql.SQL("prepare transaction {}").format(sql.Literal(gid)))
    try:
        yield gid
    finally:
        if stack.source_sql("select 1 from pg_prepared_xacts where gid = %s", (gid,)):
            finish_prepared(stack, "rollback", gid)


def finish_prepared(stack: Stack, how: str, gid: str) -> None:
    with psycopg.connect(stack.source.uri, autocommit=True) as conn:
        conn.execute(sql.SQL(how + " prepared {}").format(sql.Literal(gid)))


def test_a_prepared_transaction_that_commits_after_a_run_is_not_lost(stack: Stack) -> None:
    stack.run()
    order_id, other_id = two_orders(stack)
    (customer_id,) = stack.source_sql("select min(customer_id) from shop.customers")[0]
    statements = [
        ("update shop.orders set channel = 'phone' where order_id = %s", (order_id,)),
        (
            "insert into shop.orders (customer_id, channel, ordered_at) values (%s, 'web', now() - interval '1 hour')",
            (customer_id,),
        ),
    ]
    with prepared_transaction(stack, statements) as gid:
        # Its rows carry the time it started; later writes commit meanwhile and the run reads them.
        stack.source_sql("update shop.orders set channel = 'mobile_app' where order_id = %s", (other_id,))
        held = orders_watermark(stack)
        stack.run()
        assert channel_in_mirror(stack, other_id) == "mobile_app"
        assert channel_in_mirror(stack, order_id) != "phone"
        assert orders_watermark(stack) == held
        finish_prepared(stack, "commit", gid)
    stack.run()
    assert channel_in_mirror(stack, order_id) == "phone"
    assert orders_watermark(stack) > held
    assert_mirror_equals_source(stack)


def orders_watermark(stack: Stack):
    return stack.warehouse_sql("select high_watermark from audit.watermarks where table_name = 'orders'")[0][0]


def test_a_source_role_that_cannot_see_other_sessions_stops_the_run(stack: Stack) -> None:
    stack.run()
    role = f"globalcart_test_reader_{uuid.uuid4().hex[:8]}"
    parts = urlsplit(stack.source.uri)
    reader = stack.source.at(urlunsplit(parts._replace(netloc=f"{role}@{parts.hostname}:{parts.port}")))
    as_reader = replace(stack, source=reader)
    stack.source_sql(sql.SQL("create role {} login").format(sql.Identifier(role)))
    try:
        stack.source_sql(
            sql.SQL("grant usage on schema shop to {0}; grant select on all tables in schema shop to {0}").format(
                sql.Identifier(role)
            )
        )
        before = stack.warehouse_sql("select table_name, high_watermark from audit.watermarks order by 1")
        with psycopg.connect(stack.source.uri) as writer:
            # Another role's transaction, open: a reader without pg_read_all_stats cannot see when it began.
            writer.execute("update shop.orders set channel = 'phone' where order_id = %s", (two_orders(stack)[0],))
            with pytest.raises(GlobalCartError, match=f"the source role {role} cannot see .* pg_read_all_stats"):
                as_reader.run()
            assert stack.warehouse_sql("select table_name, high_watermark from audit.watermarks order by 1") == before
            stack.source_sql(sql.SQL("grant pg_read_all_stats to {}").format(sql.Identifier(role)))
            as_reader.run()
            writer.commit()
        as_reader.run()
        assert_mirror_equals_source(stack)
    finally:
        stack.source_sql(sql.SQL("drop owned by {0}; drop role {0}").format(sql.Identifier(role)))
