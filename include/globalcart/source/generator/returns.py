"""Returns: which delivered lines come back, how many units, why, and how far each return got."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from globalcart.source import world
from globalcart.source.generator.arrays import round_div
from globalcart.source.generator.lifecycle import Lifecycle
from globalcart.source.generator.orders import Lines
from globalcart.source.generator.tables import BigInt, Emit, Integer, Numeric, Table, Text, Timestamp
from globalcart.source.generator.timeline import DAY, Calendar, seconds

RETURN_STATUSES = ("requested", "received", "refunded", "rejected")


@dataclass
class Returns:
    line: np.ndarray  # per return row (line index)
    quantity: np.ndarray
    amount: np.ndarray  # cents owed for the returned units, whatever the status


def draw_returns(rng: np.random.Generator, cal: Calendar, lines: Lines, life: Lifecycle, emit: Emit) -> Returns:
    n_lines = len(lines.order)
    rate = np.array([c.return_rate for c in world.CATEGORIES])[lines.category]
    late = life.late[lines.order] & life.delivered[lines.order]
    rate = np.minimum(rate * np.where(late, world.RETURNS.late_delivery_uplift, 1.0), world.RETURNS.max_probability)
    chosen = life.delivered[lines.order] & (rng.random(n_lines) < rate)
    line = np.flatnonzero(chosen)
    low, high = world.RETURNS.delay_days
    requested_at = life.delivered_at[lines.order[line]] + rng.integers(low * DAY, high * DAY + 1, len(line))
    line, requested_at = line[requested_at < cal.end], requested_at[requested_at < cal.end]
    n = len(line)
    ordered = lines.quantity[line]
    partial = (ordered > 1) & (rng.random(n) >= world.RETURNS.full_return_share)
    quantity = np.where(partial, (rng.random(n) * (ordered - 1)).astype(np.int64) + 1, ordered)

    reasons = list(world.RETURN_REASONS)
    others = [r for r in reasons if r != "late_delivery"]
    weights = np.array([[getattr(c.reasons, r) for r in others] for c in world.CATEGORIES], dtype=np.float64)
    cdf = np.cumsum(weights, axis=1) / weights.sum(axis=1, keepdims=True)
    category = lines.category[line]
    other = np.minimum((rng.random(n)[:, None] >= cdf[category]).sum(axis=1), len(others) - 1)
    other_code = np.array([reasons.index(r) for r in others])[other]
    blames_lateness = late[line] & (rng.random(n) < world.RETURNS.late_reason_share)
    reason = np.where(blames_lateness, reasons.index("late_delivery"), other_code)

    received_at = requested_at + seconds(rng, *world.RETURNS.received_days, n)
    decided_at = received_at + seconds(rng, *world.RETURNS.decided_days, n)
    rejected = rng.random(n) < world.RETURNS.rejected_share
    received = received_at < cal.end
    decided = decided_at < cal.end
    status = np.select([~received, ~decided, rejected], [0, 1, 3], 2)
    refunded = status == 2
    # What the customer paid for the returned units: the line's net unit price times the units.
    q = lines.quantity[line]
    amount = round_div(quantity * (q * lines.price[line] - lines.discount[line]), q)

    by_time = np.lexsort((line, requested_at))
    emit(
        Table(
            "returns",
            n,
            (
                BigInt("return_id", np.arange(1, n + 1)),
                BigInt("order_item_id", line[by_time] + 1),
                Integer("quantity", quantity[by_time]),
                Numeric("refund_amount", np.where(refunded, amount, 0)[by_time]),  # money paid back so far
                Text("reason", reason[by_time], reasons),
                Text("status", status[by_time], RETURN_STATUSES),
                Timestamp("requested_at", requested_at[by_time]),
                Timestamp("received_at", received_at[by_time], null=~received[by_time]),
                Timestamp("refunded_at", decided_at[by_time], null=~refunded[by_time]),
                Timestamp("created_at", requested_at[by_time]),
                Timestamp(
                    "updated_at", np.select([decided, received], [decided_at, received_at], requested_at)[by_time]
                ),
            ),
        )
    )
    return Returns(line=line, quantity=quantity, amount=amount)
