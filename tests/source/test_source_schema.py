"""The shop's own rules hold in the database: checks, keys, soft cancellation, updated_at."""

from __future__ import annotations

import re
import time

import psycopg
import pytest

from globalcart import db

BASE_ROWS = """
insert into shop.customers (customer_id, email, full_name, region, country_code, segment,
                            acquisition_channel, signed_up_at)
values (1, 'ada@example.com', 'Ada', 'europe', 'GB', 'consumer', 'web', '2026-01-01');
insert into shop.products (product_id, sku, product_name, category, brand, list_price, unit_cost)
values (1, 'SKU-1', 'Lamp', 'home', 'Nook', 40.00, 22.00);
insert into shop.orders (order_id, customer_id, channel, ordered_at)
values (1, 1, 'web', '2026-01-02');
insert into shop.order_items (order_item_id, order_id, line_number, product_id, quantity, unit_price)
values (1, 1, 1, 1, 2, 40.00);
"""


@pytest.fixture
def shop(source_uri: str):
    with psycopg.connect(source_uri, autocommit=True) as conn:
        # The bulk-load order: bare tables, rows with their own ids, then keys and triggers, then
        # foreign keys. The DDL names no schema: search_path says where it builds.
        conn.execute("create schema shop")
        conn.execute("set search_path to shop")
        db.run_sql_file(conn, "source/create_source_tables.sql")
        conn.execute(BASE_ROWS.encode())
        db.run_sql_file(conn, "source/create_source_keys.sql")
        db.run_sql_file(conn, "source/create_source_foreign_keys.sql")
        conn.execute("reset search_path")
        yield conn


@pytest.mark.parametrize(
    ("statement", "constraint"),
    [
        ("update shop.order_items set quantity = 0", "order_items_quantity_positive"),
        ("update shop.order_items set discount_amount = 81", "order_items_discount_within_line"),
        ("update shop.orders set status = 'lost'", "orders_status_known"),
        ("update shop.orders set status = 'cancelled'", "orders_cancelled_has_time"),
        ("update shop.orders set paid_at = '2026-01-01'", "orders_paid_after_ordered"),
        ("update shop.products set list_price = 0", "products_list_price_positive"),
        ("insert into shop.orders (customer_id, channel, ordered_at) values (99, 'web', now())", "orders_customer_fk"),
        (
            "insert into shop.customers (email, full_name, region, country_code, segment, acquisition_channel,"
            " signed_up_at) values ('ada@example.com', 'Ada 2', 'europe', 'GB', 'consumer', 'web', now())",
            "customers_email_key",
        ),
        (
            "insert into shop.payments (order_id, attempt_number, payment_method, provider, status, amount,"
            " attempted_at) values (1, 1, 'card', 'stripe', 'declined', 80, now())",
            "payments_declined_has_reason",
        ),
        (
            "insert into shop.returns (order_item_id, quantity, reason, requested_at, received_at)"
            " values (1, 1, 'damaged', '2026-02-01', '2026-01-01')",
            "returns_received_after_requested",
        ),
    ],
)
def test_the_database_rejects_what_a_shop_would_reject(shop, statement: str, constraint: str) -> None:
    with pytest.raises(psycopg.errors.IntegrityError) as raised:
        shop.execute(statement)
    assert raised.value.diag.constraint_name == constraint


def test_updated_at_is_kept_current_by_the_database(shop) -> None:
    before = shop.execute("select updated_at from shop.orders where order_id = 1").fetchone()[0]
    time.sleep(0.01)
    # Even a writer that tries to set updated_at itself cannot hold it back.
    shop.execute("update shop.orders set status = 'paid', paid_at = '2026-01-03', updated_at = '2000-01-01'")
    after = shop.execute("select updated_at from shop.orders where order_id = 1").fetchone()[0]
    assert after > before


def test_every_shop_table_has_an_updated_at_trigger_and_index(shop) -> None:
    tables = {row[0] for row in shop.execute("select tablename from pg_tables where schemaname = 'shop'")}
    triggers = {
        row[0]
        for row in shop.execute(
            "select event_object_table from information_schema.triggers"
            " where trigger_schema = 'shop' and action_timing = 'BEFORE' and event_manipulation = 'UPDATE'"
        )
    }
    indexed = {
        row[0]
        for row in shop.execute(
            "select tablename from pg_indexes where schemaname = 'shop' and indexdef like '%(updated_at)'"
        )
    }
    assert len(tables) == 11
    assert triggers == tables
    assert indexed == tables


def test_new_rows_get_ids_after_loaded_ones(shop) -> None:
    new_id = shop.execute(
        "insert into shop.orders (customer_id, channel, ordered_at) values (1, 'web', now()) returning order_id"
    ).fetchone()[0]
    assert new_id == 2


@pytest.mark.parametrize("name", ["create_source_tables", "create_source_keys", "create_source_foreign_keys"])
def test_the_shop_ddl_names_no_schema(name: str) -> None:
    # The generator builds a new history beside the live one by setting search_path to
    # shop_loading: a name qualified with shop. would build in (or refer to) the live shop.
    assert not re.search(r"\bshop\.", db.sql_text(f"source/{name}.sql"))
