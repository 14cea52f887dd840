"""The bulk path of a first load and a full refresh: the same warehouse as the row-by-row path, faster.

A merge whose mirror table is empty, and a fact build whose fact is empty and was never built,
set the target's secondary indexes and triggers aside, insert, build the indexes once and do the
triggers' work once. `globalcart.bulk_load = off` keeps a load on the row-by-row path: the tests
load the same source both ways and compare everything the load writes, rejected rows included.
"""

from __future__ import annotations

from datetime import UTC, datetime

import psycopg
from psycopg import sql

from globalcart import settings
from globalcart.source import simulator
from globalcart.warehouse.contracts import CONTRACTS
from tests.support.stack import Stack, scratch_database
from tests.support.star import CATEGORY_KPIS, CONTENT_QUERIES, assert_same_content, star_content

MIRROR_ROWS = "select (to_jsonb(t) - 'loaded_run_id' - 'merge_seq')::text from mirror.{table} t"
# Everything a load writes, by business keys: run ids, merge numbers, surrogate keys and times differ by design.
LOADED_QUERIES = {
    **CONTENT_QUERIES,
    **CATEGORY_KPIS,
    **{f"mirror.{contract.name}": MIRROR_ROWS.format(table=contract.name) for contract in CONTRACTS},
    "rejected_rows": "select table_name, source_key, reason, row_data::text from audit.rejected_rows",
    "load_runs": """
        select table_name, extracted_rows, inserted_rows, updated_rows, ignored_stale_rows, rejected_rows,
               watermark_from, watermark_to
        from audit.load_runs""",
    "status_transitions": """
        select table_name, entity_id, from_status, to_status, source_updated_at from audit.status_transitions""",
    "watermarks": "select table_name, high_watermark from audit.watermarks",
    "calendar": "select min(calendar_date), max(calendar_date), count(*) from dw.dim_date",
    "small_dimensions": """
        select 'carrier', carrier_code, carrier_name, is_inferred::text from dw.dim_carrier
        union all select 'center', fulfillment_center_code, region, is_inferred::text from dw.dim_fulfillment_center
        union all select 'promotion', promotion_code, status, is_inferred::text from dw.dim_promotion
        union all select 'channel', channel_code, channel_name, null from dw.dim_channel
        union all select 'method', payment_method_code, payment_method_name, null from dw.dim_payment_method""",
    "category_history": "select product_id, category, observed_from::text from dw.product_category_history",
    "kpi_day_parts": "select to_jsonb(p)::text from kpi.kpi_day_parts p",
    "kpi_daily": "select to_jsonb(k)::text from marts.kpi_daily k",
    "kpi_monthly": "select to_jsonb(k)::text from marts.kpi_monthly k",
    "kpi_values": "select to_jsonb(k)::text from kpi.kpi_values k",
    "published": "select publication, outcome, failed_critical, failed_warning from audit.publications",
}

FACTS = ("dw.fct_order_line", "dw.fct_payment_attempt", "dw.fct_shipment", "dw.fct_return_line")
BIG_MIRROR_TABLES = ("mirror.orders", "mirror.order_items", "mirror.payments", "mirror.shipments")


def break_the_source(stack: Stack) -> None:
    """A source that lets through rows the merges reject and rows the fact builds refuse, and one that
    points at a customer the warehouse never gets (an inferred member)."""
    for statement in (
        "alter table shop.order_items drop constraint order_items_quantity_positive",
        "alter table shop.order_items drop constraint order_items_discount_within_line",
        "alter table shop.orders alter column customer_id drop not null",
        "alter table shop.orders drop constraint orders_customer_fk",
        "alter table shop.payments drop constraint payments_amount_not_negative",
        "alter table shop.payments alter column amount type text",
        "alter table shop.returns drop constraint returns_quantity_positive",
        # rejected by the merges
        "update shop.order_items set quantity = -2 where order_item_id = 1",
        "update shop.order_items set unit_price = 'NaN' where order_item_id = 5",
        "update shop.orders set customer_id = null where order_id = 2",
        "update shop.payments set amount = 'twelve' where payment_id = 3",
        "update shop.orders set ordered_at = '4713-01-01 BC' where order_id = 7",
        # refused by the fact builds, against their order or line (orders well clear of the rejected ones)
        """update shop.payments p set attempted_at = o.ordered_at - interval '1 day'
           from shop.orders o
           where p.order_id = o.order_id and p.payment_id = (select min(payment_id) from shop.payments
                                                             where order_id > 100)""",
        """update shop.shipments s set shipped_at = o.ordered_at - interval '2 days'
           from shop.orders o
           where s.order_id = o.order_id and s.shipment_id = (select min(shipment_id) from shop.shipments
                                                              where shipped_at is not null and order_id > 100)""",
        """update shop.returns set refund_amount = 99999.99
           where return_id = (select min(return_id) from shop.returns where status <> 'rejected')""",
        """update shop.returns set quantity = 1000
           where return_id = (select max(return_id) from shop.returns where status <> 'rejected')""",
        # a customer that never arrives: its facts point at an inferred member
        "update shop.orders set customer_id = 999999999 where order_id = 11",
    ):
        stack.source_sql(statement)


def index_ids(stack: Stack, tables: tuple[str, ...]) -> dict[str, list[int]]:
    """Each table's index oids: an index set aside and built again gets a new one."""
    return {
        table: [
            row[0]
            for row in stack.warehouse_sql(
                "select indexrelid::int from pg_index where indrelid = %s::regclass and not indisunique order by 1",
                (table,),
            )
        ]
        for table in tables
    }


def trigger_count(stack: Stack) -> int:
    return stack.warehouse_sql("select count(*) from pg_trigger where not tgisinternal")[0][0]


def row_by_row(stack: Stack, uri: str) -> Stack:
    """A stack on the same source whose warehouse (at ``uri``) keeps every load on the row-by-row path."""
    with psycopg.connect(stack.server_uri, autocommit=True) as admin:
        name = uri.rsplit("/", 1)[-1]
        admin.execute(sql.SQL("alter database {} set globalcart.bulk_load = off").format(sql.Identifier(name)))
    return Stack(stack.source, settings.WAREHOUSE.at(uri), stack.server_uri)


def content(stack: Stack) -> dict[str, list[tuple]]:
    return {name: [tuple(map(str, row)) for row in rows] for name, rows in star_content(stack, LOADED_QUERIES).items()}


def test_the_bulk_first_load_equals_the_row_by_row_load_rejected_rows_included(stack: Stack) -> None:
    break_the_source(stack)
    stack.run(stop_after="apply_migrations")
    tables = FACTS + BIG_MIRROR_TABLES
    before, triggers = index_ids(stack, tables), trigger_count(stack)

    summary = stack.run(publish=True)

    # The bulk path ran: every secondary index was built again, every trigger is back.
    after = index_ids(stack, tables)
    assert all(set(after[table]).isdisjoint(before[table]) for table in tables), (before, after)
    assert [len(after[table]) for table in tables] == [len(before[table]) for table in tables]
    assert trigger_count(stack) == triggers
    assert summary.published
    assert summary.totals()["rejected"] == 5

    with scratch_database(stack.server_uri) as uri:
        slow = row_by_row(stack, uri)
        slow.run(stop_after="apply_migrations")
        slow_before = index_ids(slow, tables)
        slow_summary = slow.run(publish=True)
        assert index_ids(slow, tables) == slow_before, "the row-by-row path set indexes aside"
        assert slow_summary.totals() == summary.totals()
        expected = content(slow)

    actual = content(stack)
    assert_same_content(actual, expected)
    refused = {(table, reason) for table, _, reason, _ in actual["rejected_rows"]}
    assert {
        ("order_items", "quantity must be above zero"),
        ("orders", "missing customer_id"),
        ("payments", "attempted_at is before the order was placed"),
        ("shipments", "shipped_at is before the order was placed"),
        ("returns", "refund_amount is more than the line was paid, with the line's earlier refunds"),
        ("returns", "quantity is more than the line sold, with the line's earlier returns"),
    } <= refused
    assert stack.warehouse_sql("select count(*) from dw.dim_customer where is_inferred and customer_id = 999999999")

    # The next run is incremental: the same indexes, nothing set aside.
    simulator.simulate(1, 12.0)
    stack.run()
    assert index_ids(stack, tables) == after


def test_a_full_refresh_takes_the_bulk_path_and_equals_a_row_by_row_refresh(stack: Stack) -> None:
    from globalcart.source.history import load_history

    stack.run()
    simulator.simulate(2, 12.0)
    stack.run()
    # Another history replaces the shop's: the refresh must forget everything the first one left.
    load_history(order_lines=4_000, days=60, end_date=datetime.now(UTC).date(), seed=23, replace=True)
    break_the_source(stack)
    before = index_ids(stack, FACTS + BIG_MIRROR_TABLES)

    stack.run(full_refresh=True, publish=True)

    after = index_ids(stack, FACTS + BIG_MIRROR_TABLES)
    assert all(set(after[table]).isdisjoint(before[table]) for table in after), (before, after)
    with scratch_database(stack.server_uri) as uri:
        slow = row_by_row(stack, uri)
        slow.run(publish=True)
        expected = content(slow)
    actual = content(stack)
    # The refreshed warehouse keeps the earlier runs' log, transitions and rejections; compare what the refresh wrote.
    for name in ("load_runs", "status_transitions", "rejected_rows", "published"):
        actual.pop(name), expected.pop(name)
    assert_same_content(actual, expected)
