"""Published KPIs equal their definition after incremental runs whose source changes move a fact's KPI day.

Every change is written straight into the shop with psycopg and loaded by a real incremental run;
after each run the published tables must equal kpi.kpi_values on the same facts.
"""

from __future__ import annotations

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


def run_and_compare(stack: Stack) -> None:
    summary = stack.run(publish=True)
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
