"""The incremental load's promises, each against a real PostgreSQL source and warehouse."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import psycopg
import pytest

from globalcart import db
from globalcart.source import simulator
from globalcart.warehouse.steps import step_parameters
from tests.support.stack import Stack
from tests.support.star import CATEGORY_KPIS, CONTENT_QUERIES, assert_same_content, full_rebuild_content, star_content

WHOLE_WAREHOUSE = """
    select 'fct_order_line', count(*), md5(string_agg(t::text, '|' order by order_item_id)) from dw.fct_order_line t
    union all
    select 'fct_payment_attempt', count(*), md5(string_agg(t::text, '|' order by payment_id))
    from dw.fct_payment_attempt t
    union all
    select 'fct_shipment', count(*), md5(string_agg(t::text, '|' order by shipment_id)) from dw.fct_shipment t
    union all
    select 'fct_return_line', count(*), md5(string_agg(t::text, '|' order by return_id)) from dw.fct_return_line t
    union all
    select 'dim_customer', count(*), md5(string_agg(t::text, '|' order by customer_key)) from dw.dim_customer t
    union all
    select 'dim_product', count(*), md5(string_agg(t::text, '|' order by product_key)) from dw.dim_product t
    union all
    select 'mirror.orders', count(*), md5(string_agg(t::text, '|' order by order_id)) from mirror.orders t
    union all
    select 'watermarks', count(*), md5(string_agg(table_name || high_watermark::text, '|' order by table_name))
    from audit.watermarks
"""


def test_initial_load_brings_every_source_row(stack: Stack) -> None:
    summary = stack.run()
    totals = summary.totals()
    assert totals["rejected"] == 0
    assert totals["inserted"] == totals["extracted"] > 0
    (source_lines,) = stack.source_sql("select count(*) from shop.order_items")[0]
    (fact_lines,) = stack.warehouse_sql("select count(*) from dw.fct_order_line")[0]
    assert fact_lines == source_lines


def test_running_the_same_run_twice_changes_nothing(stack: Stack) -> None:
    stack.run()
    simulator.simulate(2, 12.0)
    stack.run(run_id="run-twice")
    counted = "select sum(inserted_rows), sum(updated_rows) from audit.load_runs where run_id = 'run-twice'"
    before, counted_before = sorted(stack.warehouse_sql(WHOLE_WAREHOUSE)), stack.warehouse_sql(counted)
    stack.run(run_id="run-twice")
    assert sorted(stack.warehouse_sql(WHOLE_WAREHOUSE)) == before
    # The second attempt inserted and updated nothing: the run's counts did not grow.
    assert stack.warehouse_sql(counted) == counted_before


def test_a_stale_or_out_of_order_row_never_overwrites_a_newer_one(stack: Stack) -> None:
    stack.run()
    order_id, status, updated_at = stack.warehouse_sql(
        "select order_id, status, updated_at from mirror.orders where status = 'delivered' limit 1"
    )[0]
    # An older version of the order arrives after the newer one (a replayed or reordered change).
    with psycopg.connect(stack.warehouse.uri) as conn:
        conn.execute("truncate staging.orders, staging.extract_batches")
        conn.execute(
            """insert into staging.orders (order_id, customer_id, channel, status, currency_code, ordered_at,
                                           created_at, updated_at)
               select order_id::text, customer_id::text, channel, 'placed', currency_code, ordered_at::text,
                      created_at::text, (updated_at - interval '1 day')::text
               from mirror.orders where order_id = %s""",
            (order_id,),
        )
        conn.commit()
        db.run_sql_step(conn, "merge/merge_mirror_orders.sql", step_parameters("stale-replay"))
    assert stack.warehouse_sql("select status, updated_at from mirror.orders where order_id = %s", (order_id,)) == [
        (status, updated_at)
    ]
    (stale,) = stack.warehouse_sql(
        "select ignored_stale_rows from audit.load_runs where run_id = 'stale-replay' and table_name = 'orders'"
    )[0]
    assert stale == 1


def test_a_late_return_and_a_late_delivery_land_on_the_right_facts(stack: Stack) -> None:
    stack.run()
    item_id, order_id, product_id, delivered_at = stack.source_sql(
        """select i.order_item_id, i.order_id, i.product_id, s.delivered_at
           from shop.order_items i join shop.shipments s using (order_id)
           where s.status = 'delivered'
             and not exists (select from shop.returns r where r.order_item_id = i.order_item_id)
           order by s.delivered_at limit 1"""
    )[0]
    # A refund weeks after the order: requested 40 days after delivery, refunded two weeks later.
    stack.source_sql(
        """insert into shop.returns (order_item_id, quantity, refund_amount, reason, status, requested_at,
                                     received_at, refunded_at)
           values (%s, 1, 9.99, 'changed_mind', 'refunded', %s::timestamptz + interval '40 days',
                   %s::timestamptz + interval '45 days', %s::timestamptz + interval '54 days')""",
        (item_id, delivered_at, delivered_at, delivered_at),
    )
    (shipment_id,) = stack.source_sql(
        "select shipment_id from shop.shipments where status = 'shipped' order by shipment_id limit 1"
    )[0]
    stack.source_sql(
        "update shop.shipments set status = 'delivered', delivered_at = promised_at + interval '3 days'"
        " where shipment_id = %s",
        (shipment_id,),
    )
    stack.source_sql(
        "update shop.orders set status = 'delivered' where order_id = (select order_id from shop.shipments"
        " where shipment_id = %s)",
        (shipment_id,),
    )
    stack.run()

    returned = stack.warehouse_sql(
        """select r.order_id, p.product_id, r.refund_amount, r.days_after_delivery, r.return_status
           from dw.fct_return_line r join dw.dim_product p using (product_key) where r.order_item_id = %s""",
        (item_id,),
    )
    assert returned == [(order_id, product_id, Decimal("9.99"), Decimal("40.00"), "refunded")]
    shipped = stack.warehouse_sql(
        "select is_delivered, is_on_time, days_late, shipment_status from dw.fct_shipment where shipment_id = %s",
        (shipment_id,),
    )
    assert shipped == [(True, False, Decimal("3.00"), "delivered")]
    transitions = stack.warehouse_sql(
        "select from_status, to_status from audit.status_transitions where table_name = 'shipments'"
        " and entity_id = %s order by transition_id",
        (shipment_id,),
    )
    assert transitions[-1] == ("shipped", "delivered")


def test_rows_sharing_the_watermark_timestamp_are_not_skipped(stack: Stack) -> None:
    stack.run()
    (watermark,) = stack.warehouse_sql("select high_watermark from audit.watermarks where table_name = 'orders'")[0]
    # Another writer's row carrying exactly the watermark's timestamp, committed after the run.
    stack.source_sql("alter table shop.orders disable trigger orders_touch_updated_at")
    (order_id,) = stack.source_sql(
        """insert into shop.orders (customer_id, channel, ordered_at, created_at, updated_at)
           select customer_id, 'web', %s, %s, %s from shop.customers order by customer_id limit 1
           returning order_id""",
        (watermark, watermark, watermark),
    )[0]
    stack.source_sql(
        """insert into shop.order_items (order_id, line_number, product_id, quantity, unit_price,
                                         created_at, updated_at)
           select %s, 1, product_id, 1, list_price, %s, %s from shop.products order by product_id limit 1""",
        (order_id, watermark, watermark),
    )
    stack.run()
    assert stack.warehouse_sql("select count(*) from dw.fct_order_line where order_id = %s", (order_id,)) == [(1,)]


def test_a_long_transaction_that_commits_late_is_not_lost(stack: Stack) -> None:
    stack.run()
    with simulator.long_transaction(order_count=5):
        simulator.simulate(1, 6.0)  # later writes commit first
        stack.run()  # sees the step, not the open transaction
    (source_orders,) = stack.source_sql("select count(*) from shop.orders")[0]
    stack.run()
    (mirrored,) = stack.warehouse_sql("select count(*) from mirror.orders")[0]
    assert mirrored == source_orders
    assert_same_content(star_content(stack), full_rebuild_content(stack))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_any_sequence_of_changes_and_runs_equals_a_full_rebuild(stack: Stack, seed: int) -> None:
    rng = random.Random(seed)
    stack.run()
    for _ in range(5):
        hard_cases = rng.sample(simulator.HARD_CASES, k=rng.randint(0, 3))
        simulator.simulate(rng.randint(1, 2), rng.choice([3.0, 12.0, 36.0]), hard_cases=hard_cases, burst_rows=40)
        if rng.random() < 0.3:
            # A long transaction held open across an incremental run.
            with simulator.long_transaction(order_count=rng.randint(1, 8)):
                simulator.simulate(1, 4.0)
                stack.run()
        if rng.random() < 0.8:
            stack.run()
    stack.run()
    assert_same_content(star_content(stack), full_rebuild_content(stack))


def test_a_run_that_dies_half_way_is_consistent_and_the_next_run_catches_up(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    stack.run()
    simulator.simulate(2, 12.0)
    watermarks_before = dict(stack.warehouse_sql("select table_name, high_watermark from audit.watermarks"))

    # Killed after the orders merged: their watermark moved with them, later tables' did not.
    stack.run(stop_after="merge_mirror_orders")
    watermarks = dict(stack.warehouse_sql("select table_name, high_watermark from audit.watermarks"))
    assert watermarks["orders"] > watermarks_before["orders"]
    assert watermarks["order_items"] == watermarks_before["order_items"]

    # A database error inside a merge rolls back the merge and its watermark together.
    original = db.sql_text

    def failing(name: str) -> str:
        text = original(name)
        return text + "\nselect 1 / 0;\n" if name == "merge/merge_mirror_payments.sql" else text

    monkeypatch.setattr(db, "sql_text", failing)
    mirrored_payments = stack.warehouse_sql("select count(*), max(updated_at) from mirror.payments")
    with pytest.raises(psycopg.errors.DivisionByZero):
        stack.run()
    assert stack.warehouse_sql("select count(*), max(updated_at) from mirror.payments") == mirrored_payments
    assert (
        dict(stack.warehouse_sql("select table_name, high_watermark from audit.watermarks"))["payments"]
        == (watermarks["payments"])
    )
    monkeypatch.setattr(db, "sql_text", original)

    stack.run()
    assert_same_content(star_content(stack), full_rebuild_content(stack))


def test_rows_that_break_the_contract_are_rejected_with_a_reason_and_the_run_goes_on(stack: Stack) -> None:
    stack.run()
    # A source that lets bad rows through: checks dropped, one column loosened to text.
    stack.source_sql("alter table shop.order_items drop constraint order_items_quantity_positive")
    stack.source_sql("alter table shop.order_items drop constraint order_items_discount_within_line")
    stack.source_sql("alter table shop.orders alter column customer_id drop not null")
    stack.source_sql("alter table shop.orders drop constraint orders_customer_fk")
    stack.source_sql("alter table shop.payments drop constraint payments_amount_not_negative")
    stack.source_sql("alter table shop.payments alter column amount type text")
    stack.source_sql("update shop.order_items set quantity = -2 where order_item_id = 1")
    stack.source_sql("update shop.orders set customer_id = null where order_id = 2")
    stack.source_sql("update shop.payments set amount = 'twelve' where payment_id = 3")
    stack.source_sql("update shop.order_items set unit_price = unit_price where order_item_id = 4")

    summary = stack.run(run_id="with-bad-rows")
    rejected = stack.warehouse_sql(
        "select table_name, source_key, reason from audit.rejected_rows where run_id = 'with-bad-rows' order by 1"
    )
    assert rejected == [
        ("order_items", "1", "quantity must be above zero"),
        ("orders", "2", "missing customer_id"),
        ("payments", "3", "unparseable amount: twelve"),
    ]
    per_table = {row[0]: row for row in summary.rows}
    assert per_table["order_items"][5] == 1
    assert per_table["order_items"][3] == 1  # the good row changed in the same run was merged
    # The rejected versions did not replace what the warehouse had.
    assert stack.warehouse_sql("select quantity > 0 from mirror.order_items where order_item_id = 1") == [(True,)]


def test_a_backfill_window_re_reads_its_rows_without_moving_the_watermarks(stack: Stack) -> None:
    stack.run()
    simulator.simulate(1, 12.0)
    stack.run()
    # A gap: an order the warehouse lost (a restore from an old backup, say).
    order_id, updated_at = stack.warehouse_sql(
        "select order_id, updated_at from mirror.orders order by updated_at desc, order_id limit 1"
    )[0]
    stack.warehouse_sql("delete from mirror.orders where order_id = %s", (order_id,))
    watermarks = stack.warehouse_sql("select table_name, high_watermark from audit.watermarks order by 1")

    stack.run(
        since=updated_at - timedelta(minutes=1), until=updated_at + timedelta(minutes=1), advance_watermarks=False
    )
    assert stack.warehouse_sql("select count(*) from mirror.orders where order_id = %s", (order_id,)) == [(1,)]
    assert stack.warehouse_sql("select table_name, high_watermark from audit.watermarks order by 1") == watermarks
    assert_same_content(star_content(stack), full_rebuild_content(stack))


def test_a_fact_whose_customer_has_not_arrived_points_at_an_inferred_member_completed_later(stack: Stack) -> None:
    stack.run()
    # The customer's row breaks the contract (no region) and is held back; their order arrives anyway.
    stack.source_sql("alter table shop.customers alter column region drop not null")
    (customer_id,) = stack.source_sql(
        """insert into shop.customers (email, full_name, region, country_code, segment, acquisition_channel,
                                       signed_up_at)
           values ('late@example.com', 'Late Arrival', null, 'DE', 'consumer', 'web', now()) returning customer_id"""
    )[0]
    (order_id,) = stack.source_sql(
        "insert into shop.orders (customer_id, channel, ordered_at) values (%s, 'web', now()) returning order_id",
        (customer_id,),
    )[0]
    stack.source_sql(
        """insert into shop.order_items (order_id, line_number, product_id, quantity, unit_price)
           select %s, 1, product_id, 1, list_price from shop.products order by product_id limit 1""",
        (order_id,),
    )
    stack.run()
    member = "select d.customer_key, d.region, d.is_inferred from dw.fct_order_line f join dw.dim_customer d"
    member += " using (customer_key) where f.order_id = %s"
    (key, region, inferred) = stack.warehouse_sql(member, (order_id,))[0]
    assert (region, inferred) == ("unknown", True)

    stack.source_sql("update shop.customers set region = 'europe' where customer_id = %s", (customer_id,))
    stack.run()
    assert stack.warehouse_sql(member, (order_id,)) == [(key, "europe", False)]
    assert_same_content(star_content(stack), full_rebuild_content(stack))


def test_a_category_change_opens_a_new_product_version_for_later_orders(stack: Stack) -> None:
    stack.run()
    product_id, old_category = stack.source_sql(
        "select product_id, category from shop.products where category <> 'books' order by product_id limit 1"
    )[0]
    stack.source_sql("update shop.products set category = 'books' where product_id = %s", (product_id,))
    (customer_id,) = stack.source_sql("select min(customer_id) from shop.customers")[0]
    (order_id,) = stack.source_sql(
        "insert into shop.orders (customer_id, channel, ordered_at) values (%s, 'web', now() + interval '1 hour')"
        " returning order_id",
        (customer_id,),
    )[0]
    stack.source_sql(
        "insert into shop.order_items (order_id, line_number, product_id, quantity, unit_price)"
        " values (%s, 1, %s, 1, 10)",
        (order_id, product_id),
    )
    stack.run()
    categories = stack.warehouse_sql(
        """select f.order_id = %s, d.category from dw.fct_order_line f join dw.dim_product d using (product_key)
           where d.product_id = %s group by 1, 2""",
        (order_id, product_id),
    )
    assert sorted(categories) == [(False, old_category), (True, "books")]
    (versions,) = stack.warehouse_sql(
        "select count(*) from dw.dim_product where product_id = %s and is_current", (product_id,)
    )[0]
    assert versions == 1


def test_a_full_refresh_forgets_everything_an_earlier_history_left(stack: Stack) -> None:
    from globalcart.source.history import load_history

    stack.run()
    # Another history replaces the shop's: the same keys name other rows, products have other categories.
    load_history(order_lines=4_000, days=60, end_date=datetime.now(UTC).date(), seed=23, replace=True)
    stack.run(full_refresh=True)
    queries = CONTENT_QUERIES | CATEGORY_KPIS
    assert_same_content(star_content(stack, queries), full_rebuild_content(stack, queries))
    # One category per product, as a first load sees it.
    assert stack.warehouse_sql("select count(*) from dw.product_category_history") == stack.warehouse_sql(
        "select count(*) from mirror.products"
    )


def test_a_replaced_source_is_refused_until_a_full_refresh(stack: Stack) -> None:
    from globalcart.errors import GlobalCartError
    from globalcart.source.history import load_history

    stack.run()
    before = sorted(stack.warehouse_sql(WHOLE_WAREHOUSE))
    load_history(order_lines=4_000, days=60, end_date=datetime.now(UTC).date(), seed=23, replace=True)
    with pytest.raises(GlobalCartError, match=r"another history than the one loaded: .* a full refresh is needed"):
        stack.run()
    assert sorted(stack.warehouse_sql(WHOLE_WAREHOUSE)) == before, "a refused run changed the warehouse"
    stack.run(full_refresh=True)
    stack.run()
    assert_same_content(star_content(stack), full_rebuild_content(stack))


def test_a_source_whose_keys_went_backwards_is_refused(stack: Stack) -> None:
    from globalcart.errors import GlobalCartError

    stack.run()
    before = sorted(stack.warehouse_sql(WHOLE_WAREHOUSE))
    # A restore from an older backup: the newest orders are gone, and their keys will be handed out again.
    stack.source_sql(
        """create temp table gone as select order_id from shop.orders order by order_id desc limit 5;
           delete from shop.returns where order_item_id in (
               select order_item_id from shop.order_items where order_id in (select order_id from gone));
           delete from shop.payments where order_id in (select order_id from gone);
           delete from shop.shipments where order_id in (select order_id from gone);
           delete from shop.order_items where order_id in (select order_id from gone);
           delete from shop.orders where order_id in (select order_id from gone);"""
    )
    with pytest.raises(GlobalCartError, match=r"keys went backwards: its highest orders key is \d+, .* full refresh"):
        stack.run()
    assert sorted(stack.warehouse_sql(WHOLE_WAREHOUSE)) == before


def test_values_the_source_accepts_never_crash_a_build(stack: Stack) -> None:
    """Each value below passes the shop's own constraints; the run goes on, refusing what it must not believe."""
    stack.run()
    (shipment_id,) = stack.source_sql("select min(shipment_id) from shop.shipments where status = 'shipped'")[0]
    stack.source_sql(
        "update shop.shipments set status = 'delivered', delivered_at = '20266-05-01' where shipment_id = %s",
        (shipment_id,),
    )
    (return_id,) = stack.source_sql(
        """insert into shop.returns (order_item_id, quantity, refund_amount, reason, status, requested_at)
           select order_item_id, 1, 0, 'damaged', 'requested', 'infinity' from shop.order_items
           order by order_item_id limit 1 returning return_id"""
    )[0]
    order_id, customer_id = stack.source_sql("select order_id, customer_id from shop.orders order by 1 limit 1")[0]
    (huge_line,) = stack.source_sql(
        """insert into shop.order_items (order_id, line_number, product_id, quantity, unit_price)
           select %s, 99, min(product_id), 2147483647, 9999999999.99 from shop.products returning order_item_id""",
        (order_id,),
    )[0]
    (not_a_number,) = stack.source_sql(
        """insert into shop.order_items (order_id, line_number, product_id, quantity, unit_price)
           select %s, 98, min(product_id), 1, 'NaN' from shop.products returning order_item_id""",
        (order_id,),
    )[0]
    (late_order,) = stack.source_sql(
        "insert into shop.orders (customer_id, channel, ordered_at) values (%s, 'web', '4713-01-01 BC')"
        " returning order_id",
        (customer_id,),
    )[0]

    summary = stack.run(run_id="poison")

    assert summary.totals()["rejected"] == 4
    rejected = stack.warehouse_sql(
        "select table_name, source_key, reason from audit.rejected_rows where run_id = 'poison' order by 1, 2"
    )
    assert sorted(rejected) == sorted(
        [
            ("order_items", str(not_a_number), "unit_price is not a finite number"),
            ("orders", str(late_order), "ordered_at is far outside the shop's life (1970-01-01 to 2299-12-31)"),
            ("returns", str(return_id), "requested_at is far outside the shop's life (1970-01-01 to 2299-12-31)"),
            ("shipments", str(shipment_id), "delivered_at is far outside the shop's life (1970-01-01 to 2299-12-31)"),
        ]
    )
    # The delivery the warehouse knew stands; the huge line, odd as it is, is a number the facts can hold.
    assert stack.warehouse_sql("select is_delivered from dw.fct_shipment where shipment_id = %s", (shipment_id,)) == [
        (False,)
    ]
    assert stack.warehouse_sql("select gross_amount from dw.fct_order_line where order_item_id = %s", (huge_line,)) == [
        (Decimal("21474836469978525163.53"),)
    ]
