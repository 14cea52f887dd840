"""The quality gate against a real PostgreSQL and a real SMTP server.

Each kind of fault is injected after a clean, published run; the next run must
catch it, block publication, leave the published tables exactly as they were,
and send a data-quality alert that says what failed.
"""

from __future__ import annotations

import pytest

from globalcart.errors import QualityGateBlocked
from globalcart.quality.checks import CHECKS, RATE_COLUMNS
from tests.support.mail import Mailbox
from tests.support.stack import Stack

PUBLISHED = "select * from marts.kpi_daily union all select * from marts.kpi_monthly"


def published_tables(stack: Stack) -> list[tuple]:
    return sorted(stack.warehouse_sql(PUBLISHED), key=repr)


@pytest.fixture
def published(stack: Stack, mailbox: Mailbox) -> Stack:
    """A warehouse loaded, checked and published once, cleanly."""
    summary = stack.run(publish=True)
    assert summary.published is True
    assert [check.name for check in summary.checks if check.failed] == []
    assert mailbox.messages == []
    return stack


def last_closed_day(stack: Stack):
    """The newest day the last run reconciled: the one before the day of the source's newest change."""
    return stack.warehouse_sql("select reconciled_through from audit.quality_scope")[0][0]


def some_order_line(stack: Stack) -> int:
    return stack.warehouse_sql("select min(order_item_id) from dw.fct_order_line where not is_cancelled")[0][0]


def negative_amount(stack: Stack) -> None:
    stack.warehouse_sql(
        """update dw.fct_order_line set discount_amount = gross_amount + 5, net_amount = -5, source_updated_at = now()
           where order_item_id = %s""",
        (some_order_line(stack),),
    )


def duplicated_fact_row(stack: Stack) -> None:
    stack.warehouse_sql(
        """create temp table copied as select * from dw.fct_order_line where order_item_id = %(id)s;
           update copied set order_item_id = order_item_id + 1000000000, source_updated_at = now();
           insert into dw.fct_order_line select * from copied;""".replace("%(id)s", str(some_order_line(stack)))
    )


def key_without_member(stack: Stack) -> None:
    # Fact keys are NOT NULL by constraint; the null-key failure that remains is a key no member answers to.
    stack.warehouse_sql(
        "update dw.fct_order_line set product_key = 987654321, source_updated_at = now() where order_item_id = %s",
        (some_order_line(stack),),
    )


def missing_day(stack: Stack) -> None:
    stack.warehouse_sql(
        """delete from dw.fct_order_line
           where order_date_key = (select percentile_disc(0.5) within group (order by order_date_key)
                                   from dw.fct_order_line)"""
    )


def lost_line_of_a_closed_day(stack: Stack) -> None:
    stack.warehouse_sql(
        """delete from dw.fct_order_line where order_item_id = (
               select min(order_item_id) from dw.fct_order_line
               where order_date_key = to_char(%s::date, 'YYYYMMDD')::integer)""",
        (last_closed_day(stack),),
    )


def kpi_jump(stack: Stack) -> None:
    """A genuine-looking order in the source, on a closed day, worth five times a usual day's sales."""
    day = last_closed_day(stack)
    (median_day,) = stack.warehouse_sql(
        """select percentile_cont(0.5) within group (order by net_sales) from marts.kpi_daily
           where dimension_name = 'all' and period_start >= %s::date - 28 and period_start < %s::date""",
        (day, day),
    )[0]
    customer_id, channel = stack.source_sql("select customer_id, 'web' from shop.customers order by 1 limit 1")[0]
    product_id, price = stack.source_sql("select product_id, list_price from shop.products order by 1 limit 1")[0]
    quantity = int(5 * median_day / float(price)) + 1
    stack.source_sql(
        """with o as (insert into shop.orders (customer_id, channel, ordered_at)
                      values (%s, %s, %s::date + interval '12 hours') returning order_id)
           insert into shop.order_items (order_id, line_number, product_id, quantity, unit_price)
           select o.order_id, 1, %s, %s, %s from o""",
        (customer_id, channel, day, product_id, quantity, price),
    )


def behind_the_watermark(stack: Stack, table: str, change: str, params: tuple) -> None:
    """A change the extraction never sees: written with the row's old updated_at (a writer that bypasses it)."""
    stack.source_sql(f"alter table shop.{table} disable trigger {table}_touch_updated_at")
    stack.source_sql(f"update shop.{table} set {change}", params)  # noqa: S608 - the tests' own SQL
    stack.source_sql(f"alter table shop.{table} enable trigger {table}_touch_updated_at")


def an_order_of_a_closed_day(stack: Stack) -> tuple[int, int]:
    """An order not cancelled, placed on the last closed day, and its customer."""
    return stack.source_sql(
        """select order_id, customer_id from shop.orders
           where status <> 'cancelled' and (ordered_at at time zone 'UTC')::date = %s order by order_id limit 1""",
        (last_closed_day(stack),),
    )[0]


def lost_cancellation(stack: Stack) -> None:
    order_id, _ = an_order_of_a_closed_day(stack)
    change = "status = 'cancelled', cancelled_at = ordered_at + interval '1 hour' where order_id = %s"
    behind_the_watermark(stack, "orders", change, (order_id,))


def lost_refund(stack: Stack) -> None:
    order_id, _ = an_order_of_a_closed_day(stack)
    stack.source_sql(
        """insert into shop.returns (order_item_id, quantity, refund_amount, reason, status, requested_at, received_at,
                                     refunded_at, created_at, updated_at)
           select i.order_item_id, 1, 0.5, 'damaged', 'refunded', o.ordered_at + interval '1 day',
                  o.ordered_at + interval '2 days', o.ordered_at + interval '3 days', o.created_at, o.created_at
           from shop.order_items i join shop.orders o using (order_id)
           where i.order_id = %s order by i.line_number limit 1""",
        (order_id,),
    )


def lost_region_move(stack: Stack) -> None:
    _, customer_id = an_order_of_a_closed_day(stack)
    (region,) = stack.source_sql(
        "select min(region) from shop.customers where region <> (select region from shop.customers"
        " where customer_id = %s)",
        (customer_id,),
    )[0]
    behind_the_watermark(stack, "customers", "region = %s where customer_id = %s", (region, customer_id))


FAULTS = {
    "a negative amount": (negative_amount, "order_line_net_not_negative"),
    "a duplicated fact row": (duplicated_fact_row, "order_line_grain_is_unique"),
    "a key with no dimension member": (key_without_member, "order_line_keys_resolve"),
    "a missing day": (missing_day, "every_day_has_sales"),
    "a line lost between source and warehouse": (lost_line_of_a_closed_day, "warehouse_matches_source"),
    "a cancellation lost between source and warehouse": (lost_cancellation, "warehouse_matches_source"),
    "a refund lost between source and warehouse": (lost_refund, "warehouse_matches_source"),
    "a region move lost between source and warehouse": (lost_region_move, "warehouse_matches_source"),
    "a KPI jump": (kpi_jump, "net_sales_within_daily_band"),
}


@pytest.mark.parametrize("fault", FAULTS, ids=list(FAULTS))
def test_each_fault_is_caught_blocks_publication_and_alerts(published: Stack, mailbox: Mailbox, fault: str) -> None:
    inject, expected_check = FAULTS[fault]
    before = published_tables(published)
    inject(published)

    summary = published.run(publish=True)

    failed = {check.name: check for check in summary.checks if check.failed}
    assert expected_check in failed, f"{fault}: failed checks were {sorted(failed)}"
    assert failed[expected_check].severity == "critical"
    assert failed[expected_check].unexpected_count and failed[expected_check].sample
    assert summary.published is False
    assert published_tables(published) == before, "a blocked run changed the published tables"
    assert published.warehouse_sql("select outcome from audit.publications where run_id = %s", (summary.run_id,)) == [
        ("blocked",)
    ]
    stored = published.warehouse_sql(
        "select check_name from audit.quality_results where run_id = %s and not success", (summary.run_id,)
    )
    assert {name for (name,) in stored} == set(failed)

    assert len(mailbox.messages) == 1
    message = mailbox.messages[0]
    assert message["To"] == "on-call@example.com"
    assert "NOT published" in message["Subject"] and summary.run_id in message["Subject"]
    html = mailbox.html()
    assert expected_check in html and failed[expected_check].description.split()[0] in html
    assert f"{failed[expected_check].unexpected_count:,}" in html
    assert "audit.quality_results" in html and "Data Docs" in html


def thin_to_a_small_shop(stack: Stack) -> None:
    """Keep one order in 40 (about one a day): a genuine small shop, with days that sell nothing."""
    stack.source_sql(
        """create temp table dropped as select order_id from shop.orders where hashtext(order_id::text) % 40 <> 0;
           delete from shop.returns where order_item_id in
               (select order_item_id from shop.order_items where order_id in (select order_id from dropped));
           delete from shop.order_items where order_id in (select order_id from dropped);
           delete from shop.payments where order_id in (select order_id from dropped);
           delete from shop.shipments where order_id in (select order_id from dropped);
           delete from shop.orders where order_id in (select order_id from dropped);"""
    )


QUIET_DAYS = """
with shop_days as (
    select gs::date as day, coalesce(k.orders, 0) as orders, coalesce(k.net_sales, 0) as net_sales
    from generate_series((select min(period_start) from marts.kpi_daily where dimension_name = 'all'),
                         (select max(period_start) from marts.kpi_daily where dimension_name = 'all'),
                         interval '1 day') as gs
    left join marts.kpi_daily as k on k.dimension_name = 'all' and k.period_start = gs::date
),
judged as (
    select d.day, d.net_sales,
           (select percentile_cont(0.5) within group (order by p.net_sales) from shop_days as p
            where p.day >= d.day - 28 and p.day < d.day) as trailing_median
    from shop_days as d, audit.quality_scope as q
    where d.day between q.reconciled_through - 6 and q.reconciled_through
)
select (select count(*) from shop_days where orders = 0),
       (select count(*) from judged where net_sales < 0.5 * trailing_median)
"""


def empty_a_judged_day(stack: Stack) -> None:
    """Drop the orders of the third day before the source's newest change: a day the gate judges, now without sales.

    A small shop has such days by chance; making one keeps the test from depending on the day it runs on.
    """
    stack.source_sql(
        """create temp table emptied as select o.order_id from shop.orders as o
           where (o.ordered_at at time zone 'UTC')::date
                 = (select (max(i.updated_at) at time zone 'UTC')::date - 3 from shop.order_items as i);
           delete from shop.returns where order_item_id in
               (select order_item_id from shop.order_items where order_id in (select order_id from emptied));
           delete from shop.order_items where order_id in (select order_id from emptied);
           delete from shop.payments where order_id in (select order_id from emptied);
           delete from shop.shipments where order_id in (select order_id from emptied);
           delete from shop.orders where order_id in (select order_id from emptied);"""
    )


def test_a_small_shop_with_quiet_days_publishes(stack: Stack, mailbox: Mailbox) -> None:
    """Days without orders and days at a fraction of the median are what a small shop's pace makes likely."""
    thin_to_a_small_shop(stack)
    empty_a_judged_day(stack)
    (orders_a_day,) = stack.source_sql(
        "select count(*)::numeric / (max(ordered_at)::date - min(ordered_at)::date + 1) from shop.orders"
    )[0]
    assert orders_a_day < 3

    summary = stack.run(publish=True)

    checks = {check.name: check for check in summary.checks}
    assert checks["every_day_has_sales"].success and checks["net_sales_within_daily_band"].success
    assert [check.name for check in summary.checks if check.failed] == []
    assert summary.published is True
    # What the shop published is what the fixed ½×–2× band and the no-empty-day rule used to block.
    zero_days, quiet_judged_days = stack.warehouse_sql(QUIET_DAYS)[0]
    assert zero_days >= 10 and quiet_judged_days >= 1, (zero_days, quiet_judged_days)
    assert mailbox.messages == []


def test_a_blocked_fault_is_checked_again_until_it_is_fixed(published: Stack, mailbox: Mailbox) -> None:
    line = some_order_line(published)
    (good,) = published.warehouse_sql(
        "select discount_amount, net_amount from dw.fct_order_line where order_item_id = %s", (line,)
    )
    negative_amount(published)
    assert published.run(publish=True).published is False
    # Nothing changed in the source: the next run still sees the fault, because it checks since the last publication.
    assert published.run(publish=True).published is False
    # On-call was told once: the same fault in the next run adds no email.
    assert len(mailbox.messages) == 1
    assert "NOT published" in mailbox.subjects()[0]

    published.warehouse_sql(
        "update dw.fct_order_line set discount_amount = %s, net_amount = %s where order_item_id = %s", (*good, line)
    )
    fixed = published.run(publish=True)
    assert fixed.published is True
    assert [check.name for check in fixed.checks if check.failed] == []
    # ...and once more when it is over.
    assert len(mailbox.messages) == 2
    assert mailbox.subjects()[1].startswith("[GlobalCart 360] Data quality recovered")
    assert "order_line_net_not_negative" in mailbox.text(1)


def test_a_changed_fault_alerts_again(published: Stack, mailbox: Mailbox) -> None:
    negative_amount(published)
    assert published.run(publish=True).published is False
    duplicated_fact_row(published)
    assert published.run(publish=True).published is False
    assert len(mailbox.messages) == 2
    assert "order_line_grain_is_unique" in mailbox.text(1)


def test_the_alert_names_the_offending_rows_by_key_in_both_parts(published: Stack, mailbox: Mailbox) -> None:
    line = some_order_line(published)
    negative_amount(published)
    assert published.run(publish=True).published is False
    text, html = mailbox.text(), mailbox.html()
    assert "order_line_net_not_negative" in text and "order_line_net_not_negative" in html
    # The sample of a column check carries the row's key, not only the bad value.
    assert "order_item_id" in text and str(line) in text and str(line) in html
    assert "docs/quality-gate" in text


def a_line_among_many(stack: Stack) -> int:
    """The smallest kept line of the busiest day: losing its cost moves no segment's margin out of range."""
    return stack.warehouse_sql(
        """select order_item_id from dw.fct_order_line
           where not is_cancelled and net_amount > 0 and order_date_key = (
               select order_date_key from dw.fct_order_line group by 1 order by count(*) desc, 1 limit 1)
           order by net_amount, order_item_id limit 1"""
    )[0][0]


def test_a_failed_warning_alerts_but_publishes(published: Stack, mailbox: Mailbox) -> None:
    published.warehouse_sql(
        "update dw.fct_order_line set unit_cost = null, cost_amount = null, source_updated_at = now() "
        "where order_item_id = %s",
        (a_line_among_many(published),),
    )
    summary = published.run(publish=True)
    assert [(c.name, c.severity) for c in summary.checks if c.failed] == [("order_line_cost_known", "warning")]
    assert summary.published is True
    assert published.warehouse_sql(
        "select sum(lines_without_cost) from marts.kpi_daily where dimension_name = 'all'"
    ) == [(1,)]
    assert len(mailbox.messages) == 1
    assert "1 warning, KPIs published" in mailbox.messages[0]["Subject"]


def test_rejected_source_rows_do_not_break_the_reconciliation(published: Stack, mailbox: Mailbox) -> None:
    # A line the contract rejects is kept in audit.rejected_rows, and accounted for rather than missing.
    published.source_sql("alter table shop.order_items drop constraint order_items_quantity_positive")
    published.source_sql("alter table shop.order_items drop constraint order_items_discount_within_line")
    order_id = published.source_sql("select max(order_id) from shop.orders where ordered_at < current_date - 1")[0][0]
    published.source_sql(
        "insert into shop.order_items (order_id, line_number, product_id, quantity, unit_price) "
        "select %s, 99, min(product_id), -3, 10 from shop.products",
        (order_id,),
    )
    summary = published.run(publish=True)
    assert summary.totals()["rejected"] == 1
    assert summary.published is True, [c.name for c in summary.checks if c.failed]
    assert mailbox.messages == []


def test_every_check_fails_on_rows_that_break_it(published: Stack, mailbox: Mailbox) -> None:
    """No check is a constant: break the facts and the candidate KPI tables in every way at once."""
    from globalcart import db
    from globalcart.marts.publish import build_candidates
    from globalcart.quality.gate import run_quality_checks

    lines = [
        row[0] for row in published.warehouse_sql("select order_item_id from dw.fct_order_line order by 1 limit 3")
    ]
    published.warehouse_sql(
        """update dw.fct_order_line set quantity = 0, gross_amount = -1, discount_amount = -1, net_amount = -5,
               unit_cost = null, cost_amount = -1, customer_key = -1, source_updated_at = now()
           where order_item_id = %s""",
        (lines[0],),
    )
    published.warehouse_sql(
        "update dw.fct_order_line set product_key = 987654321, source_updated_at = now() where order_item_id = %s",
        (lines[1],),
    )
    duplicated_fact_row(published)
    lost_line_of_a_closed_day(published)
    published.warehouse_sql(
        """create temp table copied as select * from dw.fct_payment_attempt order by payment_id limit 1;
           update copied set payment_id = payment_id + 1000000000, amount = -1, payment_method_key = 987,
                             source_updated_at = now();
           insert into dw.fct_payment_attempt select * from copied;
           update dw.fct_shipment set shipping_cost = -1, carrier_key = -1, fulfillment_center_key = 987,
                                      source_updated_at = now()
           where shipment_id = (select min(shipment_id) from dw.fct_shipment);
           update dw.fct_return_line set refund_amount = -1, quantity = 0, product_key = 987654321,
                                         source_updated_at = now()
           where return_id = (select min(return_id) from dw.fct_return_line);"""
    )
    day = last_closed_day(published)
    run_id = "everything-broken"
    with db.connect(published.warehouse) as conn:
        build_candidates(conn, run_id)
    rates = ", ".join(f"{column} = 1.5" for column in RATE_COLUMNS)
    published.warehouse_sql(
        "update candidate.kpi_monthly set "  # noqa: S608 - column names from the list above, no values
        + rates
        + """, net_sales = -1, gross_margin_pct = 0.97
            where dimension_name = 'all' and period_start = (select min(period_start) from candidate.kpi_monthly)"""
    )
    published.warehouse_sql(
        """update candidate.kpi_daily set orders = 0
           where dimension_name = 'all' and period_start = (select min(period_start) + 10 from candidate.kpi_daily)"""
    )
    published.warehouse_sql(
        "update candidate.kpi_daily set net_sales = net_sales * 10 where dimension_name = 'all' and period_start = %s",
        (day,),
    )
    published.warehouse_sql(
        "update candidate.kpi_daily set orders = 0 where dimension_name = 'all' and period_start >= %s::date - 2",
        (day,),
    )

    results = run_quality_checks(published.source, published.warehouse, run_id)

    assert {r.name for r in results} == {c.name for c in CHECKS}
    passed = sorted(r.name for r in results if r.success)
    assert passed == [], f"these checks did not catch what they are for: {passed}"


def test_an_analytics_run_does_not_narrow_the_kpi_gates_window(published: Stack, mailbox: Mailbox) -> None:
    from globalcart.errors import FactsNotPublished
    from globalcart.pipelines.analytics import run_analytics
    from globalcart.source import simulator

    negative_amount(published)
    simulator.simulate(1, 6.0)  # the source moves on between runs, so each run extracts from later watermarks
    assert published.run(publish=True).published is False
    ((window,),) = published.warehouse_sql("select checked_from from audit.quality_scope")
    with pytest.raises(FactsNotPublished):  # the blocked facts are not analysed either
        run_analytics(published.warehouse, "analytics:between", send_alert=lambda *_: None)
    simulator.simulate(1, 6.0)
    assert published.run(publish=True).published is False
    # The window still starts at the first run after the last publication of the KPIs.
    assert published.warehouse_sql("select checked_from from audit.quality_scope") == [(window,)]


WHOLE_SHOP_TOTALS = """
    select sum(gross_sales), sum(refunds), sum(returned_units), sum(orders), sum(payment_attempts)
    from marts.kpi_monthly where dimension_name = 'all'
"""


def test_nonsense_the_shop_allows_is_refused_with_a_reason_and_the_rest_published(
    published: Stack, mailbox: Mailbox
) -> None:
    before = published.warehouse_sql(WHOLE_SHOP_TOTALS)
    delivered_lines = """
        select i.order_item_id, o.order_id, o.ordered_at, s.delivered_at
        from shop.order_items i join shop.orders o using (order_id) join shop.shipments s using (order_id)
        where s.status = 'delivered' and not exists (select from shop.returns r where r.order_item_id = i.order_item_id)
        order by i.quantity * i.unit_price - i.discount_amount, i.order_item_id limit 2"""
    (cheap, _, _, delivered_at), (other, order_id, ordered_at, _) = published.source_sql(delivered_lines)
    (refund_id,) = published.source_sql(
        """insert into shop.returns (order_item_id, quantity, refund_amount, reason, status, requested_at, received_at,
                                     refunded_at)
           values (%s, 1, 99999.99, 'damaged', 'refunded', %s::timestamptz + interval '1 day',
                   %s::timestamptz + interval '2 days', %s::timestamptz + interval '3 days') returning return_id""",
        (cheap, delivered_at, delivered_at, delivered_at),
    )[0]
    (early_return,) = published.source_sql(
        """insert into shop.returns (order_item_id, quantity, reason, status, requested_at)
           values (%s, 1, 'changed_mind', 'requested', %s::timestamptz - interval '3 years') returning return_id""",
        (other, ordered_at),
    )[0]
    (early_payment,) = published.source_sql(
        """insert into shop.payments (order_id, attempt_number, payment_method, provider, status, amount, attempted_at)
           values (%s, 9, 'card', 'stripe', 'authorized', 1, %s::timestamptz - interval '1 year')
           returning payment_id""",
        (order_id, ordered_at),
    )[0]
    (euro_order,) = published.source_sql(
        """with o as (insert into shop.orders (customer_id, channel, currency_code, ordered_at)
                      select min(customer_id), 'web', 'EUR', now() - interval '2 days' from shop.customers
                      returning order_id)
           insert into shop.order_items (order_id, line_number, product_id, quantity, unit_price)
           select o.order_id, 1, min(p.product_id), 3, 250 from o, shop.products p group by o.order_id
           returning order_id"""
    )[0]

    summary = published.run(publish=True)

    assert summary.published is True, [c.name for c in summary.checks if c.failed]
    rejected = published.warehouse_sql(
        "select table_name, source_key, reason from audit.rejected_rows where run_id = %s", (summary.run_id,)
    )
    too_much = "refund_amount is more than the line was paid, with the line's earlier refunds"
    assert sorted(rejected) == sorted(
        [
            ("returns", str(refund_id), too_much),
            ("returns", str(early_return), "requested_at is before the order was placed"),
            ("payments", str(early_payment), "attempted_at is before the order was placed"),
            ("orders", str(euro_order), "amounts not in USD: the warehouse keeps no exchange rates to convert them"),
        ]
    )
    assert published.warehouse_sql(WHOLE_SHOP_TOTALS) == before, "a refused row reached the published KPIs"
    assert mailbox.messages == []


def bulk_import(stack: Stack) -> None:
    """Every source row written in one transaction, as a bulk import or a migration from another system does."""
    from globalcart.warehouse.steps import SOURCE_TABLES

    # One simple query is one transaction: every row gets the same created_at and (by the triggers) updated_at.
    statements = (f"update shop.{table} set created_at = now()" for table in SOURCE_TABLES)  # noqa: S608 - constant names
    stack.source_sql("; ".join(statements))


RECONCILED = "select count(distinct order_date), sum(source_order_lines), sum(warehouse_order_lines)"
RECONCILED += " from candidate.reconciled_days"
SOURCE_DAYS = """select count(distinct (o.ordered_at at time zone 'UTC')::date), count(*)
                 from shop.order_items i join shop.orders o using (order_id)"""


def test_a_bulk_imported_source_is_reconciled_on_every_day_it_holds(stack: Stack, mailbox: Mailbox) -> None:
    bulk_import(stack)
    summary = stack.run(publish=True)
    assert summary.published is True, [c.name for c in summary.checks if c.failed]
    ((days, lines),) = stack.source_sql(SOURCE_DAYS)
    assert stack.warehouse_sql(RECONCILED) == [(days, lines, lines)]

    # A line lost on the newest day, which is not closed yet, is caught too: the run changed that day.
    stack.warehouse_sql(
        """delete from dw.fct_order_line where order_item_id = (
               select max(order_item_id) from dw.fct_order_line
               where order_date_key = (select max(order_date_key) from dw.fct_order_line))"""
    )
    failed = [c for c in stack.run(publish=True).checks if c.failed]
    assert [c.name for c in failed] == ["warehouse_matches_source"]


def test_a_reconciliation_that_compares_nothing_fails(stack: Stack) -> None:
    from globalcart import db
    from globalcart.marts.publish import build_candidates
    from globalcart.quality.gate import run_quality_checks

    stack.run(run_id="vacuous", stop_after="build_fct_return_line")
    # The source rewrote every order after the extraction: the warehouse can hold none of them as they are now.
    stack.source_sql("update shop.orders set channel = channel")
    with db.connect(stack.warehouse) as conn:
        build_candidates(conn, "vacuous")

    results = {r.name: r for r in run_quality_checks(stack.source, stack.warehouse, "vacuous")}

    assert stack.warehouse_sql(RECONCILED) == [(0, None, None)]
    reconciled = results["warehouse_matches_source"]
    assert reconciled.failed and reconciled.severity == "critical"
    assert reconciled.sample[0]["region"] == "nothing compared, though facts changed"


def test_a_candidate_that_differs_from_the_kpi_definition_blocks_publication(
    published: Stack, mailbox: Mailbox
) -> None:
    """A build that missed a change (here: a recomputed candidate day edited afterwards) is caught, not published."""
    from globalcart.pipelines.incremental import IncrementalRun, enforce_quality_gate, run_quality_checks

    before = published_tables(published)
    published.source_sql(
        """insert into shop.payments
               (order_id, attempt_number, payment_method, provider, status, amount, decline_reason, attempted_at)
           select order_id, attempt_number + 1, payment_method, provider, 'declined', amount, 'insufficient_funds',
                  now() - interval '1 hour'
           from shop.payments order by payment_id desc limit 1"""
    )
    run_id = "missed-a-day"
    published.run(run_id=run_id, publish=True, stop_after="build_kpi_candidates")
    published.warehouse_sql(
        """update candidate.kpi_daily set payment_attempts = payment_attempts - 1
           where dimension_name = 'all' and period_start = (
               select max(d.calendar_date) from kpi.kpi_dirty_days as d
               inner join candidate.build_marks as m on d.marked_id = m.marked_id)"""
    )
    run = IncrementalRun(run_id, published.source, published.warehouse)
    failed = {check.name: check for check in run_quality_checks(run) if check.failed}
    # The tampered day no longer adds up to the daily cube either.
    assert set(failed) == {"published_kpis_match_definition", "cube_adds_up_to_shop_kpis"}
    assert failed["published_kpis_match_definition"].severity == "critical"
    assert failed["published_kpis_match_definition"].unexpected_count >= 1
    with pytest.raises(QualityGateBlocked):
        enforce_quality_gate(run)
    assert published_tables(published) == before


def test_a_candidate_month_that_is_not_the_sum_of_its_days_blocks_publication(
    published: Stack, mailbox: Mailbox
) -> None:
    """A rewritten month is held to its kept daily parts: a month edited after the build is caught."""
    from globalcart.pipelines.incremental import IncrementalRun, enforce_quality_gate, run_quality_checks

    before = published_tables(published)
    published.source_sql(
        """insert into shop.payments
               (order_id, attempt_number, payment_method, provider, status, amount, decline_reason, attempted_at)
           select order_id, attempt_number + 1, payment_method, provider, 'declined', amount, 'insufficient_funds',
                  now() - interval '1 hour'
           from shop.payments order by payment_id desc limit 1"""
    )
    run_id = "edited-a-month"
    published.run(run_id=run_id, publish=True, stop_after="build_kpi_candidates")
    published.warehouse_sql(
        """update candidate.kpi_monthly set gross_sales = gross_sales + 1
           where dimension_name = 'region' and period_start = (
               select date_trunc('month', max(d.calendar_date))::date from kpi.kpi_dirty_days as d
               inner join candidate.build_marks as m on d.marked_id = m.marked_id)"""
    )
    run = IncrementalRun(run_id, published.source, published.warehouse)
    failed = {check.name: check for check in run_quality_checks(run) if check.failed}
    assert set(failed) == {"published_kpis_match_definition"}
    offending = failed["published_kpis_match_definition"].sample
    assert {(row["grain"], row["dimension_name"], row["kpi"]) for row in offending} >= {
        ("month", "region", "gross_sales")
    }
    with pytest.raises(QualityGateBlocked):
        enforce_quality_gate(run)
    assert published_tables(published) == before
