"""Published KPIs equal their definition after incremental runs whose source changes move a fact's KPI day.

Every change is written straight into the shop with psycopg and loaded by a real incremental run;
after each run the published tables must equal kpi.kpi_values on the same facts.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from tests.support.mail import Mailbox
from tests.support.stack import Stack


def differences(stack: Stack) -> list[tuple]:
    """Rows of marts.kpi_daily / kpi_monthly and kpi.kpi_values that the other side lacks."""
    rows = []
    for table, grain in (("kpi_daily", "day"), ("kpi_monthly", "month")):
        rows += stack.warehouse_sql(
            f"""(select 'published', * from marts.{table}
                 except select 'published', * from kpi.kpi_values where grain = %(grain)s)
                union all
                (select 'defined', * from kpi.kpi_values where grain = %(grain)s
                 except select 'defined', * from marts.{table})""",  # noqa: S608 - fixed table names
            {"grain": grain},
        )
    return rows


def run_and_compare(stack: Stack, progress: Callable[[str], None] | None = None) -> None:
    summary = stack.run(publish=True, **({"progress": progress} if progress else {}))
    assert summary.published, [c.name for c in summary.checks if c.failed]
    assert differences(stack) == []


def add_attempt(stack: Stack, order_id: int, at: datetime) -> None:
    stack.source_sql(
        """insert into shop.payments
               (order_id, attempt_number, payment_method, provider, status, amount, decline_reason, attempted_at)
           select order_id, attempt_number + 1, payment_method, provider, 'declined', amount, 'insufficient_funds', %s
           from shop.payments where order_id = %s order by attempt_number desc limit 1""",
        (at, order_id),
    )


def test_payment_attempts_that_move_an_orders_first_day_mark_the_old_and_the_new_day(
    stack: Stack, mailbox: Mailbox
) -> None:
    run_and_compare(stack)
    # An order paid in one attempt, in a month before this one.
    order_id, first = stack.source_sql(
        """select order_id, min(attempted_at) from shop.payments group by order_id
           having count(*) = 1 and min(attempted_at) < date_trunc('month', now()) - interval '35 days'
           order by order_id limit 1"""
    )[0]

    # A late attempt for it, this month: the order's first day stays, its attempts change.
    add_attempt(stack, order_id, datetime.now(UTC) - timedelta(hours=1))
    run_and_compare(stack)

    # Its first attempt moves to this month: the old day loses the order, the new one gains it.
    stack.source_sql(
        """update shop.payments set attempted_at = now() - interval '2 hours', updated_at = now()
           where order_id = %s and attempted_at = %s""",
        (order_id, first),
    )
    run_and_compare(stack)

    # A new attempt arrives dated before every loaded one: the first day moves back a month.
    stack.source_sql(
        "insert into shop.payments (order_id, attempt_number, payment_method, provider, status, amount,"
        " decline_reason, attempted_at)"
        " select order_id, 9, payment_method, provider, 'declined', amount, 'insufficient_funds', %s::timestamptz"
        " from shop.payments where order_id = %s limit 1",
        (first, order_id),
    )
    run_and_compare(stack)
    assert mailbox.messages == []


def test_a_fact_whose_day_moves_marks_the_old_and_the_new_day(stack: Stack, mailbox: Mailbox) -> None:
    run_and_compare(stack)
    # An order placed in an earlier month moves to yesterday; a delivery moves back a month.
    (order_id,) = stack.source_sql(
        "select min(order_id) from shop.orders where ordered_at < date_trunc('month', now()) - interval '35 days'"
        " and status <> 'cancelled'"
    )[0]
    stack.source_sql(
        "update shop.orders set ordered_at = now() - interval '1 day', paid_at = null, updated_at = now()"
        " where order_id = %s",
        (order_id,),
    )
    (shipment_id,) = stack.source_sql(
        "select min(shipment_id) from shop.shipments where delivered_at > date_trunc('month', now())"
    )[0]
    stack.source_sql(
        "update shop.shipments set delivered_at = delivered_at - interval '31 days',"
        " shipped_at = least(shipped_at, delivered_at - interval '32 days'), updated_at = now()"
        " where shipment_id = %s",
        (shipment_id,),
    )
    run_and_compare(stack)
    # A kept order is cancelled.
    stack.source_sql(
        "update shop.orders set status = 'cancelled', cancelled_at = now(), updated_at = now() where order_id = %s",
        (order_id,),
    )
    run_and_compare(stack)
    assert mailbox.messages == []


def test_source_writes_at_random_keep_the_published_kpis_equal_to_the_definition(
    stack: Stack, mailbox: Mailbox
) -> None:
    run_and_compare(stack)
    rng = random.Random(15)
    for _ in range(12):
        for _ in range(rng.randint(1, 3)):
            rng.choice(RANDOM_WRITES)(stack, rng)
        # One more write commits in the shop while the run is under way, at a random step of it.
        run_and_compare(stack, MidRunWrite(stack, rng))


def _some(stack: Stack, rng: random.Random, query: str) -> int:
    (count,) = stack.source_sql(f"select count(*) from ({query}) as q")[0]  # noqa: S608 - fixed queries below
    return stack.source_sql(f"{query} order by 1 limit 1 offset %s", (rng.randrange(count),))[0][0]


DELIVERED = "select shipment_id from shop.shipments where delivered_at is not null"
KEPT_ORDERS = "select order_id from shop.orders where status <> 'cancelled'"
# Orders placed well after the first day, so that moving one back leaves no day of the history empty.
LATER_ORDERS = " and ordered_at > (select min(ordered_at) from shop.orders) + interval '45 days'"
PAID_ORDERS = "select distinct order_id from shop.payments"


def late_attempt(stack: Stack, rng: random.Random) -> None:
    add_attempt(stack, _some(stack, rng, PAID_ORDERS), datetime.now(UTC) - timedelta(hours=rng.uniform(0.1, 30)))


def attempt_at_the_order_time(stack: Stack, rng: random.Random) -> None:
    """An attempt dated at the order's time arrives late: before every loaded attempt of an order paid days later."""
    late_payers = stack.source_sql(
        """select p.order_id from shop.payments as p inner join shop.orders as o on p.order_id = o.order_id
           group by p.order_id, o.ordered_at having min(p.attempted_at) > o.ordered_at + interval '1 day'"""
    )
    order_id = rng.choice(late_payers)[0] if late_payers else _some(stack, rng, PAID_ORDERS)
    (ordered_at,) = stack.source_sql("select ordered_at from shop.orders where order_id = %s", (order_id,))[0]
    add_attempt(stack, order_id, ordered_at + timedelta(minutes=1))


def attempt_moves_later(stack: Stack, rng: random.Random) -> None:
    payment_id = _some(stack, rng, "select payment_id from shop.payments")
    stack.source_sql(
        """update shop.payments set attempted_at = attempted_at + (now() - attempted_at) * %s, updated_at = now()
           where payment_id = %s""",
        (rng.uniform(0.3, 1.0), payment_id),
    )


def order_moves_earlier(stack: Stack, rng: random.Random) -> None:
    stack.source_sql(
        "update shop.orders set ordered_at = ordered_at - %s * interval '1 day', updated_at = now()"
        " where order_id = %s",
        (rng.randint(1, 40), _some(stack, rng, KEPT_ORDERS + LATER_ORDERS)),
    )


def order_is_cancelled(stack: Stack, rng: random.Random) -> None:
    stack.source_sql(
        "update shop.orders set status = 'cancelled', cancelled_at = now(), updated_at = now() where order_id = %s",
        (_some(stack, rng, KEPT_ORDERS),),
    )


def delivery_moves(stack: Stack, rng: random.Random) -> None:
    stack.source_sql(
        """update shop.shipments
           set delivered_at = least(now(), delivered_at + %s * interval '1 day'), updated_at = now()
           where shipment_id = %s""",
        (rng.randint(1, 35), _some(stack, rng, DELIVERED)),
    )


def line_is_returned(stack: Stack, rng: random.Random) -> None:
    item = _some(
        stack,
        rng,
        "select i.order_item_id from shop.order_items as i where not exists"
        " (select from shop.returns as r where r.order_item_id = i.order_item_id)",
    )
    stack.source_sql(
        "insert into shop.returns (order_item_id, quantity, reason, requested_at) values (%s, 1, 'damaged', now())",
        (item,),
    )


RANDOM_WRITES = (
    late_attempt,
    attempt_at_the_order_time,
    attempt_moves_later,
    order_moves_earlier,
    order_is_cancelled,
    delivery_moves,
    line_is_returned,
)


class MidRunWrite:
    """A run's progress callback that commits one random write in the shop at its n-th report."""

    def __init__(self, stack: Stack, rng: random.Random) -> None:
        self.stack, self.rng = stack, rng
        self.reports, self.at_report = 0, rng.randint(1, 12)

    def __call__(self, _: str) -> None:
        self.reports += 1
        if self.reports == self.at_report:
            self.rng.choice(RANDOM_WRITES)(self.stack, self.rng)
