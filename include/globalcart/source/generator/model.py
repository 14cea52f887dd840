"""The shop model: a whole history drawn from world.py and a seed, as tables of numpy arrays.

The history is simulated with numpy arrays, one element per customer, order,
line, payment attempt, shipment or return, never with a Python loop over rows,
and one random stream drawn in a fixed order, so a seed always gives the same
history. Nothing here touches a database: ``build_history`` hands each table to
``emit`` as soon as it is complete (the load streams it to PostgreSQL while the
next is drawn) and returns the manifest.

Times are whole seconds since the Unix epoch (int64) and money is in cents
(int64); discounts and refunds are rounded half up in integer arithmetic,
exactly as ``round(numeric, 2)`` would.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import numpy as np

from globalcart.source import world
from globalcart.source.generator.catalogue import draw_products, draw_promotions, reference_network
from globalcart.source.generator.lifecycle import draw_lifecycle
from globalcart.source.generator.manifest import realised
from globalcart.source.generator.orders import draw_buyers, draw_customers, draw_lines, draw_orders
from globalcart.source.generator.params import GenerationParams, validate
from globalcart.source.generator.returns import draw_returns
from globalcart.source.generator.tables import Emit, Table
from globalcart.source.generator.timeline import calendar


def build_history(params: GenerationParams, emit: Emit, progress: Callable[[str], None] = lambda _: None) -> dict:
    """Draw the history, handing each table to ``emit`` in load order; returns the manifest (plain JSON types)."""
    validate(params)
    started = time.perf_counter()
    row_counts: dict[str, int] = {}

    def counted(table: Table) -> None:
        row_counts[table.name] = table.rows
        emit(table)

    rng = np.random.default_rng(params.seed)
    cal = calendar(params)
    reference_network(counted)
    catalogue = draw_products(rng, cal, params, counted)
    promotions = draw_promotions(rng, cal, counted)
    buyers = draw_buyers(rng, cal, params.order_lines)
    customers = draw_customers(rng, cal, buyers, counted)
    orders = draw_orders(rng, cal, buyers, customers, promotions)
    lines = draw_lines(rng, orders, catalogue, promotions)
    progress(
        f"simulated {len(customers.region):,} customers, {len(orders.ordered_at):,} orders"
        f" and {len(lines.order):,} lines in {time.perf_counter() - started:.2f} s"
    )
    life = draw_lifecycle(rng, cal, orders, customers, lines, counted)
    returns = draw_returns(rng, cal, lines, life, counted)
    progress(f"generated every table in {time.perf_counter() - started:.2f} s")
    manifest = {
        "params": params.as_dict(),
        "ground_truth": world.ground_truth(),
        "row_counts": row_counts,
        "realised": realised(cal, orders, lines, life, returns),
    }
    return json.loads(json.dumps(manifest))  # plain JSON types (lists, not tuples), as a reader will see it


def history(params: GenerationParams) -> tuple[dict[str, Table], dict]:
    """A whole history in memory: its tables by name, and its manifest (for small histories and checks)."""
    tables: dict[str, Table] = {}
    manifest = build_history(params, lambda table: tables.__setitem__(table.name, table))
    return tables, manifest
