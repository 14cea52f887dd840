"""The manifest's measured half: the planted signals as they came out in this history."""

from __future__ import annotations

from typing import Any

import numpy as np

from globalcart.source import world
from globalcart.source.generator.lifecycle import Lifecycle
from globalcart.source.generator.orders import Lines, Orders
from globalcart.source.generator.returns import Returns
from globalcart.source.generator.timeline import DAY, Calendar


def _rate(numerator: float, denominator: float) -> float | None:
    return round(numerator / denominator, 6) if denominator else None


def realised(cal: Calendar, orders: Orders, lines: Lines, life: Lifecycle, returns: Returns) -> dict[str, Any]:
    """The signals as they came out in this history, measured from the generated rows."""
    names = [c.name for c in world.CATEGORIES]
    k = len(names)
    delivered_line = life.delivered[lines.order]
    units_delivered = np.bincount(lines.category[delivered_line], lines.quantity[delivered_line], k)
    net_delivered = np.bincount(
        lines.category[delivered_line],
        (lines.quantity * lines.price - lines.discount)[delivered_line],
        k,
    )
    returned_category = lines.category[returns.line]
    units_returned = np.bincount(returned_category, returns.quantity, k)
    value_returned = np.bincount(returned_category, returns.amount, k)
    return_rate = {names[i]: _rate(units_returned[i], units_delivered[i]) for i in range(k)}
    leakage = {names[i]: _rate(value_returned[i], net_delivered[i]) for i in range(k)}

    centers = [f.code for f in world.FULFILLMENT_CENTERS]
    pairs = len(world.CARRIERS) * len(centers)
    pair = life.shipment_pair[life.shipment_delivered]
    delivered_by_pair = np.bincount(pair, minlength=pairs)
    on_time_by_pair = np.bincount(pair, life.shipment_on_time[life.shipment_delivered], pairs)
    on_time = [
        {
            "carrier": world.CARRIERS[p // len(centers)].code,
            "fulfillment_center": centers[p % len(centers)],
            "delivered": int(delivered_by_pair[p]),
            "on_time_rate": _rate(on_time_by_pair[p], delivered_by_pair[p]),
        }
        for p in range(pairs)
        if delivered_by_pair[p]
    ]
    measured = [p for p in on_time if p["delivered"] >= 30] or on_time
    worst = min(measured, key=lambda p: p["on_time_rate"]) if measured else None

    methods = [m.name for m in world.PAYMENT_METHODS]
    attempts = np.bincount(life.payment_method, minlength=len(methods))
    declines = np.bincount(life.payment_method[life.payment_declined], minlength=len(methods))

    # Churn and repeat purchases count orders that were not cancelled.
    kept = life.status != 4
    customer, at = orders.customer[kept], orders.ordered_at[kept]
    by_customer = np.lexsort((at, customer))
    customer, at = customer[by_customer], at[by_customer]
    buyers = np.unique(customer)
    last = np.ones(len(customer), dtype=bool)
    last[:-1] = customer[1:] != customer[:-1]
    churned = at[last] < cal.end - world.CUSTOMERS.churn_window_days * DAY
    repeat = customer[1:] == customer[:-1]
    gaps = (at[1:] - at[:-1])[repeat]

    quarter = max(cal.days // 4, 1) * DAY
    line_at = orders.ordered_at[lines.order]
    gross = lines.quantity * lines.price

    def depth(mask: np.ndarray) -> float | None:
        return _rate(float(lines.discount[mask].sum()), float(gross[mask].sum()))

    return {
        "return_rate_by_category": return_rate,
        "highest_return_rate_category": _top(return_rate),
        "refund_leakage_by_category": leakage,
        "highest_leakage_category": _top(leakage),
        "on_time_rate_by_pair": on_time,
        "worst_on_time_pair": worst,
        "decline_rate_by_payment_method": {methods[i]: _rate(declines[i], attempts[i]) for i in range(len(methods))},
        "cancellation_rate": _rate(float((life.status == 4).sum()), len(life.status)),
        "customers_with_orders": len(buyers),
        "churn_90d_rate": _rate(float(churned.sum()), len(buyers)),
        "repeat_within_90d_share": _rate(float((gaps <= world.CUSTOMERS.churn_window_days * DAY).sum()), len(gaps)),
        "discount_share_first_quarter": depth(line_at < cal.start + quarter),
        "discount_share_last_quarter": depth(line_at >= cal.end - quarter),
    }


def _top(rates: dict[str, float | None]) -> str | None:
    known = {name: rate for name, rate in rates.items() if rate is not None}
    return max(known, key=lambda name: known[name]) if known else None
