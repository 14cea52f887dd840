"""The live shop: the simulator moves the source forward and keeps the shop's invariants.

One small history is generated per module; each test works on its own copy of it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import psycopg
import pytest

from globalcart import settings
from globalcart.errors import GlobalCartError
from globalcart.source import simulator
from globalcart.source.history import load_history
from tests.support.stack import scratch_database

SOURCE_ENV = settings.conn_env_var(settings.SOURCE_CONN_ID)
STATUS_RANK = {"placed": 0, "paid": 1, "shipped": 2, "delivered": 3}


@pytest.fixture(scope="module")
def generated_history(server_uri: str) -> Iterator[str]:
    with scratch_database(server_uri) as uri, pytest.MonkeyPatch.context() as patch:
        patch.setenv(SOURCE_ENV, uri)
        load_history(order_lines=20_000, days=150, end_date=date(2026, 3, 1), seed=7)
        yield uri


@pytest.fixture
def shop(server_uri: str, generated_history: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[psycopg.Connection]:
    """An autocommit connection to a private copy of the generated shop, which the project sees as its source."""
    with scratch_database(server_uri, template=generated_history) as uri:
        monkeypatch.setenv(SOURCE_ENV, uri)
        with psycopg.connect(uri, autocommit=True) as conn:
            conn.execute("set time zone 'UTC'")
            yield conn


def order_statuses(conn: psycopg.Connection) -> dict[int, str]:
    return dict(conn.execute("select order_id, status from shop.orders").fetchall())


def violations(conn: psycopg.Connection, query: str) -> list[tuple]:
    return conn.execute(query).fetchall()


INVARIANTS = {
    "returned units never exceed the units sold on the line": """
        select i.order_item_id
        from shop.order_items as i join shop.returns as r using (order_item_id)
        where r.status <> 'rejected'
        group by i.order_item_id, i.quantity having sum(r.quantity) > i.quantity""",
    "returns only on delivered orders, requested after delivery": """
        select r.return_id
        from shop.returns as r
        join shop.order_items as i using (order_item_id)
        join shop.shipments as s using (order_id)
        where s.status <> 'delivered' or r.requested_at < s.delivered_at""",
    "a captured payment charges the order's net total": """
        select p.payment_id
        from shop.payments as p
        join (select order_id, sum(quantity * unit_price - discount_amount) as net
              from shop.order_items group by order_id) as t using (order_id)
        where p.status in ('captured', 'refunded') and p.amount <> t.net""",
    "paid, shipped and delivered orders have exactly one captured payment": """
        select o.order_id
        from shop.orders as o
        left join shop.payments as p on p.order_id = o.order_id and p.status = 'captured'
        where o.status in ('paid', 'shipped', 'delivered')
        group by o.order_id having count(p.payment_id) <> 1""",
    "shipment status follows the order status": """
        select o.order_id
        from shop.orders as o left join shop.shipments as s using (order_id)
        where (o.status = 'paid' and s.status is distinct from 'label_created')
           or (o.status = 'shipped' and s.status is distinct from 'shipped')
           or (o.status = 'delivered' and s.status is distinct from 'delivered')""",
    "a refund never exceeds what the customer paid for the returned units": """
        select r.return_id
        from shop.returns as r join shop.order_items as i using (order_item_id)
        where r.refund_amount > round(r.quantity * (i.unit_price - i.discount_amount / i.quantity), 2)""",
    "a cancelled order keeps no captured payment": """
        select p.payment_id
        from shop.payments as p join shop.orders as o using (order_id)
        where o.status = 'cancelled' and p.status = 'captured'""",
    "payment attempts are numbered without gaps": """
        select order_id from shop.payments
        group by order_id having max(attempt_number) <> count(*)""",
}


def test_steps_move_the_shop_forward_and_keep_its_invariants(shop: psycopg.Connection) -> None:
    before = order_statuses(shop)
    (clock_before,) = shop.execute("select simulated_at from sim.clock").fetchone()
    reports = simulator.simulate(8, 12.0)
    after = order_statuses(shop)
    (clock_after, steps) = shop.execute("select simulated_at, step_count from sim.clock").fetchone()

    assert steps == 8
    assert (clock_after - clock_before).total_seconds() == 8 * 12 * 3600
    totals: dict[str, int] = {}
    for report in reports:
        for event, count in report.counts.items():
            totals[event] = totals.get(event, 0) + count
    for event in (
        "orders placed",
        "payment attempts",
        "orders paid",
        "orders shipped",
        "orders delivered",
        "returns requested",
        "refunds",
    ):
        assert totals.get(event, 0) > 0, f"no {event} in 4 simulated days: {totals}"

    # Statuses only move forward; cancellation only happens before shipping.
    for order_id, old in before.items():
        new = after[order_id]
        if old == "cancelled" or new == "cancelled":
            assert old in ("placed", "paid", "cancelled"), (order_id, old, new)
            continue
        assert STATUS_RANK[new] >= STATUS_RANK[old], (order_id, old, new)
    assert len(after) > len(before)
    for name, query in INVARIANTS.items():
        assert violations(shop, query) == [], name


def test_late_returns_and_late_deliveries_reach_old_orders(shop: psycopg.Connection) -> None:
    simulator.simulate(6, 24.0)
    late_return_orders = shop.execute(
        """select count(*) from shop.returns as r join shop.order_items as i using (order_item_id)
           join shop.orders as o using (order_id)
           where r.created_at > (select generated_at from sim.manifest) and o.ordered_at < '2026-02-15'"""
    ).fetchone()[0]
    late_deliveries = shop.execute(
        """select count(*) from shop.shipments
           where delivered_at >= '2026-03-01' and delivered_at > promised_at"""
    ).fetchone()[0]
    assert late_return_orders > 0
    assert late_deliveries > 0


def test_long_transaction_commits_rows_older_than_what_landed_before_it(shop: psycopg.Connection) -> None:
    with simulator.long_transaction(order_count=10) as lines_written:
        simulator.simulate(1, 6.0)  # other writes commit while the transaction is held open
        visible_meanwhile = {row[0] for row in shop.execute("select order_id from shop.orders")}
        (landed_first,) = shop.execute("select max(updated_at) from shop.orders").fetchone()
    appeared_at_commit = shop.execute(
        "select order_id, updated_at from shop.orders where not (order_id = any(%s))", (list(visible_meanwhile),)
    ).fetchall()
    assert lines_written >= 10
    assert len(appeared_at_commit) == 10
    # Committed last, yet stamped before rows that were visible earlier: a watermark on updated_at skips them.
    assert all(updated_at < landed_first for _, updated_at in appeared_at_commit)


def test_shared_timestamp_and_old_order_burst(shop: psycopg.Connection) -> None:
    simulator.simulate(1, 6.0, hard_cases=["shared_timestamp", "old_order_burst"], burst_rows=150)
    (shared,) = shop.execute(
        "select count(*) from shop.shipments group by updated_at order by count(*) desc limit 1"
    ).fetchone()
    (old_touched,) = shop.execute(
        """select count(*) from shop.orders
           where updated_at > (select generated_at from sim.manifest)
             and ordered_at < (select simulated_at from sim.clock) - interval '60 days'"""
    ).fetchone()
    assert shared >= 150
    assert old_touched >= 150


def test_the_same_seed_and_steps_give_the_same_shop(
    server_uri: str, generated_history: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    business_columns = (
        "select order_id, customer_id, channel, status, ordered_at, paid_at, cancelled_at from shop.orders"
        " order by order_id"
    )
    results = []
    for _ in range(2):
        with scratch_database(server_uri, template=generated_history) as uri:
            monkeypatch.setenv(SOURCE_ENV, uri)
            simulator.simulate(3, 8.0)
            with psycopg.connect(uri) as conn:
                results.append(conn.execute(business_columns).fetchall())
    assert results[0] == results[1]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"steps": 0}, "steps must be at least 1"),
        ({"steps": 1, "hours": 0}, "hours per step"),
        ({"steps": 1, "hard_cases": ["meteor"]}, "unknown hard case 'meteor'"),
    ],
)
def test_bad_parameters_change_nothing(shop: psycopg.Connection, kwargs: dict, message: str) -> None:
    before = shop.execute("select step_count, simulated_at from sim.clock").fetchone()
    with pytest.raises(GlobalCartError, match=message):
        simulator.simulate(**kwargs)
    assert shop.execute("select step_count, simulated_at from sim.clock").fetchone() == before
