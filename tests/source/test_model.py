"""The shop model alone, in memory, without a database: its tables hang together and follow world.py."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from globalcart.source import world
from globalcart.source.generator.model import history
from globalcart.source.generator.params import GenerationParams
from globalcart.source.generator.tables import Table, Timestamp

PARAMS = GenerationParams(order_lines=30_000, days=200, end_date=dt.date(2025, 3, 1), seed=3)


@pytest.fixture(scope="module")
def drawn() -> tuple[dict[str, Table], dict]:
    return history(PARAMS)


def test_tables_come_in_load_order_and_the_manifest_counts_them(drawn: tuple[dict[str, Table], dict]) -> None:
    tables, manifest = drawn
    assert list(tables) == list(manifest["row_counts"])
    for name, table in tables.items():
        assert manifest["row_counts"][name] == table.rows
        for column in table.columns:
            assert len(table.values(column.name)) == table.rows, (name, column.name)
    assert PARAMS.order_lines <= tables["order_items"].rows < PARAMS.order_lines * 1.01


def test_every_row_belongs_to_its_parent(drawn: tuple[dict[str, Table], dict]) -> None:
    tables, _ = drawn
    order_ids = tables["orders"].values("order_id")
    assert np.array_equal(order_ids, np.arange(1, len(order_ids) + 1))
    item_order = tables["order_items"].values("order_id")
    assert np.isin(item_order, order_ids).all()
    assert np.isin(order_ids, item_order).all()  # and no order without a line
    # Lines are numbered 1..n within each order.
    counts = np.bincount(item_order)[1:]
    first_of_order = np.cumsum(counts) - counts
    line_number = tables["order_items"].values("line_number")
    assert np.array_equal(line_number, np.arange(len(line_number)) - np.repeat(first_of_order, counts) + 1)
    assert np.isin(tables["orders"].values("customer_id"), tables["customers"].values("customer_id")).all()
    assert np.isin(tables["order_items"].values("product_id"), tables["products"].values("product_id")).all()
    assert np.isin(tables["payments"].values("order_id"), order_ids).all()
    assert len(np.unique(tables["shipments"].values("order_id"))) == tables["shipments"].rows
    returned_item = tables["returns"].values("order_item_id")
    assert np.isin(returned_item, tables["order_items"].values("order_item_id")).all()
    assert (tables["returns"].values("quantity") <= tables["order_items"].values("quantity")[returned_item - 1]).all()


def test_the_same_seed_gives_the_same_history_and_another_does_not(drawn: tuple[dict[str, Table], dict]) -> None:
    tables, manifest = drawn
    again, again_manifest = history(PARAMS)
    assert again_manifest == manifest
    for name, table in tables.items():
        for column in table.columns:
            assert np.array_equal(again[name].values(column.name), table.values(column.name)), (name, column.name)
    other, _ = history(GenerationParams(**{**vars(PARAMS), "seed": PARAMS.seed + 1}))
    assert not np.array_equal(other["order_items"].values("product_id"), tables["order_items"].values("product_id"))


def test_category_shares_of_the_lines_follow_world(drawn: tuple[dict[str, Table], dict]) -> None:
    tables, _ = drawn
    category = tables["products"].values("category")[tables["order_items"].values("product_id") - 1]
    n = len(category)
    for c in world.CATEGORIES:
        share = float(np.mean(category == c.name))
        # Each line's category is an independent draw: 5 standard errors (under 0.013 at 30,000 lines) apart at most.
        assert abs(share - c.share) < 5 * np.sqrt(c.share * (1 - c.share) / n), (c.name, share)


def test_payment_methods_decline_at_their_rates(drawn: tuple[dict[str, Table], dict]) -> None:
    tables, _ = drawn
    method = tables["payments"].values("payment_method")
    declined = tables["payments"].values("status") == "declined"
    for m in world.PAYMENT_METHODS:
        attempts = int(np.sum(method == m.name))
        rate = float(np.mean(declined[method == m.name]))
        # Attempts are independent draws at the method's rate: within 5 standard errors.
        assert abs(rate - m.decline_rate) < 5 * np.sqrt(m.decline_rate * (1 - m.decline_rate) / attempts), m.name


def test_nothing_happens_at_or_after_the_end(drawn: tuple[dict[str, Table], dict]) -> None:
    tables, _ = drawn
    end = int(dt.datetime.combine(PARAMS.end_date, dt.time(), dt.UTC).timestamp())
    plans = {("shipments", "promised_at"), ("promotions", "ends_at")}  # plans may point past the end
    for name, table in tables.items():
        for column in table.columns:
            if not isinstance(column, Timestamp) or (name, column.name) in plans:
                continue
            happened = column.seconds if column.null is None else column.seconds[~column.null]
            assert (happened < end).all(), (name, column.name)
