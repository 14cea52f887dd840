"""Where each order got to by the end of the history: payment attempts, cancellations and shipping."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from globalcart.source import world
from globalcart.source.generator.arrays import choice, group_starts, pick_within, rank_in_group
from globalcart.source.generator.orders import Customers, Lines, Orders
from globalcart.source.generator.tables import BigInt, Emit, Integer, Numeric, Table, Text, Timestamp
from globalcart.source.generator.timeline import DAY, HOUR, MINUTE, Calendar, seconds

ORDER_STATUSES = ("placed", "paid", "shipped", "delivered", "cancelled")
PAYMENT_STATUSES = ("authorized", "captured", "declined", "refunded")
SHIPMENT_STATUSES = ("label_created", "shipped", "delivered")


@dataclass
class Lifecycle:
    """Where each order got to by the end of the history, and the rows that tell it."""

    status: np.ndarray  # index into ORDER_STATUSES, per order
    delivered: np.ndarray  # per order
    delivered_at: np.ndarray
    late: np.ndarray  # delivered after the promised time
    shipment_order: np.ndarray  # per shipment row (order index)
    shipment_pair: np.ndarray  # carrier index * len(FULFILLMENT_CENTERS) + center index
    shipment_on_time: np.ndarray
    shipment_delivered: np.ndarray
    payment_method: np.ndarray  # per payment row
    payment_declined: np.ndarray


def draw_lifecycle(
    rng: np.random.Generator,
    cal: Calendar,
    orders: Orders,
    customers: Customers,
    lines: Lines,
    emit: Emit,
) -> Lifecycle:
    n = len(orders.ordered_at)
    end = cal.end
    methods = world.PAYMENT_METHODS

    # Payment attempts: each is declined at the method's rate; after a decline the customer may retry.
    tries = world.PAYMENTS.max_attempts
    decline_rate = np.array([m.decline_rate for m in methods])[orders.method]
    declined = rng.random((n, tries)) < decline_rate[:, None]
    retries = rng.random((n, tries)) < world.PAYMENTS.retry_probability
    planned = np.ones(n, dtype=np.int64)
    succeeded = np.zeros(n, dtype=bool)
    trying = np.ones(n, dtype=bool)
    for k in range(tries):  # a loop over attempt numbers, not over rows
        succeeded |= trying & ~declined[:, k]
        trying &= declined[:, k] & retries[:, k] & (k + 1 < tries)
        planned += trying
    pauses = np.empty((n, tries), dtype=np.int64)
    pauses[:, 0] = rng.integers(*world.PAYMENTS.first_attempt_seconds, n)
    pauses[:, 1:] = rng.integers(*world.PAYMENTS.retry_seconds, (n, tries - 1))
    attempted_at = orders.ordered_at[:, None] + np.cumsum(pauses, axis=1)
    attempts = ((np.arange(tries) < planned[:, None]) & (attempted_at < end)).sum(axis=1)
    completed = attempts == planned
    last_at = attempted_at[np.arange(n), planned - 1]
    # Bank transfers stay authorized until the money arrives; other methods capture at once.
    bank = np.array([m.name == "bank_transfer" for m in methods])[orders.method]
    paid_at = last_at + np.where(bank, seconds(rng, *world.PAYMENTS.bank_transfer_settle_days, n), 0)
    paid = succeeded & completed & (paid_at < end)
    authorized = succeeded & completed & ~paid
    unpaid_cancel_at = last_at + seconds(rng, *world.PAYMENTS.unpaid_cancel_days, n)
    unpaid_cancelled = ~succeeded & completed & (unpaid_cancel_at < end)

    # Shipping plan for every order; only paid, not cancelled ones get a shipment.
    centers = [f.code for f in world.FULFILLMENT_CENTERS]
    carriers = [c.code for c in world.CARRIERS]
    region = customers.region[orders.customer]
    serving = np.zeros((len(world.REGIONS), max(len(r.fulfillment_centers) for r in world.REGIONS)), np.int64)
    serving_count = np.array([len(r.fulfillment_centers) for r in world.REGIONS])
    for i, r in enumerate(world.REGIONS):  # a handful of regions
        serving[i, : len(r.fulfillment_centers)] = [centers.index(code) for code in r.fulfillment_centers]
    other = pick_within(rng, serving[:, 1:], np.maximum(serving_count - 1, 1), region)
    main = (rng.random(n) < world.SHIPPING.main_center_share) | (serving_count[region] == 1)
    center = np.where(main, serving[region, 0], other)
    carrier = choice(rng, [c.share for c in world.CARRIERS], n)
    on_time_rate = np.array([c.on_time_rate for c in world.CARRIERS])[carrier]
    late_pair = (carrier == carriers.index(world.LATE_PAIR[0])) & (center == centers.index(world.LATE_PAIR[1]))
    on_time = rng.random(n) < np.where(late_pair, world.LATE_PAIR_ON_TIME_RATE, on_time_rate)
    low, high = world.SHIPPING.promised_days
    promise = rng.integers(low, high + 1, n) * DAY
    promised_at = paid_at + promise
    shipped_at = (
        paid_at
        + world.SHIPPING.picking_minutes * MINUTE
        + (promise * rng.uniform(*world.SHIPPING.ships_after_promise_share, n)).astype(np.int64)
    )
    early_by = ((promised_at - shipped_at) * rng.uniform(*world.SHIPPING.early_share, n)).astype(np.int64)
    late_by = world.SHIPPING.late_min_hours * HOUR + (rng.gamma(world.SHIPPING.late_gamma_shape, 1.0, n) * DAY).astype(
        np.int64
    )
    delivered_at = np.where(on_time, promised_at - early_by, promised_at + late_by)
    cancel_planned = succeeded & (rng.random(n) < world.SHIPPING.cancellation_rate)
    cancel_at = paid_at + ((shipped_at - paid_at) * rng.uniform(*world.SHIPPING.cancel_share_of_wait, n)).astype(
        np.int64
    )
    paid_cancelled = paid & cancel_planned & (cancel_at < end)
    has_shipment = paid & ~paid_cancelled
    shipped = has_shipment & ~cancel_planned & (shipped_at < end)
    delivered = shipped & (delivered_at < end)

    cancelled = paid_cancelled | unpaid_cancelled
    cancelled_at = np.where(paid_cancelled, cancel_at, unpaid_cancel_at)
    status = np.select([cancelled, delivered, shipped, paid], [4, 3, 2, 1], 0)
    updated_at = np.select(
        [cancelled, delivered, shipped, paid],
        [cancelled_at, delivered_at, shipped_at, paid_at],
        orders.ordered_at,
    )

    emit(
        Table(
            "orders",
            n,
            (
                BigInt("order_id", np.arange(1, n + 1)),
                BigInt("customer_id", orders.customer + 1),
                Text("channel", orders.channel, [c.name for c in world.CHANNELS]),
                Text("status", status, ORDER_STATUSES),
                BigInt("promotion_id", orders.promotion + 1, null=orders.promotion < 0),
                Text("currency_code", np.zeros(n, dtype=np.int64), ("USD",)),
                Timestamp("ordered_at", orders.ordered_at),
                Timestamp("paid_at", paid_at, null=~paid),
                Timestamp("cancelled_at", cancelled_at, null=~cancelled),
                Timestamp("created_at", orders.ordered_at),
                Timestamp("updated_at", updated_at),
            ),
        )
    )
    emit(lines.table)

    # Payments: one row per attempt made, ids in order of attempted_at.
    order = np.repeat(np.arange(n), attempts)
    number = rank_in_group(attempts)
    at = attempted_at[order, number]
    success = (number == planned[order] - 1) & succeeded[order]
    row_status = np.select(
        [~success, authorized[order], paid_cancelled[order]], [2, 0, 3], 1
    )  # declined, authorized, refunded, else captured
    row_updated = np.select([row_status == 1, row_status == 3], [paid_at[order], cancel_at[order]], at)
    providers = [p for m in methods for p in m.providers]
    provider_first = group_starts(np.array([len(m.providers) for m in methods]))
    provider_count = np.array([len(m.providers) for m in methods])
    provider = provider_first[orders.method] + (rng.random(n) * provider_count[orders.method]).astype(np.int64)
    reason = np.where(row_status == 2, rng.integers(0, len(world.DECLINE_REASONS), len(order)), -1)
    by_time = np.lexsort((number, order, at))
    emit(
        Table(
            "payments",
            len(order),
            (
                BigInt("payment_id", np.arange(1, len(order) + 1)),
                BigInt("order_id", order[by_time] + 1),
                Integer("attempt_number", number[by_time] + 1),
                Text("payment_method", orders.method[order][by_time], [m.name for m in methods]),
                Text("provider", provider[order][by_time], providers),
                Text("status", row_status[by_time], PAYMENT_STATUSES),
                Numeric("amount", lines.order_net[order][by_time]),
                Text("decline_reason", reason[by_time], world.DECLINE_REASONS, null=reason[by_time] < 0),
                Timestamp("attempted_at", at[by_time]),
                Timestamp("created_at", at[by_time]),
                Timestamp("updated_at", row_updated[by_time]),
            ),
        )
    )

    # Shipments: labels are created when the order is paid; ids in that order.
    shipment = np.flatnonzero(has_shipment)
    shipment = shipment[np.lexsort((shipment, paid_at[shipment]))]
    base = np.array([r.shipping_base_cost for r in world.REGIONS])[region[shipment]]
    tariff = base + world.SHIPPING.cost_per_unit * lines.order_units[shipment] ** world.SHIPPING.cost_unit_exponent
    cost = tariff * rng.uniform(*world.SHIPPING.cost_spread, len(shipment))
    s_shipped, s_delivered = shipped[shipment], delivered[shipment]
    s_updated = np.select([s_delivered, s_shipped], [delivered_at[shipment], shipped_at[shipment]], paid_at[shipment])
    emit(
        Table(
            "shipments",
            len(shipment),
            (
                BigInt("shipment_id", np.arange(1, len(shipment) + 1)),
                BigInt("order_id", shipment + 1),
                Text("carrier_code", carrier[shipment], carriers),
                Text("fulfillment_center_code", center[shipment], centers),
                Text("status", s_shipped.astype(np.int64) + s_delivered, SHIPMENT_STATUSES),
                Numeric("shipping_cost", np.maximum(np.round(cost * 100).astype(np.int64), 1)),
                Timestamp("promised_at", promised_at[shipment]),  # a promise may point past the end of the history
                Timestamp("shipped_at", shipped_at[shipment], null=~s_shipped),
                Timestamp("delivered_at", delivered_at[shipment], null=~s_delivered),
                Timestamp("created_at", paid_at[shipment]),
                Timestamp("updated_at", s_updated),
            ),
        )
    )

    return Lifecycle(
        status=status,
        delivered=delivered,
        delivered_at=delivered_at,
        late=delivered_at > promised_at,
        shipment_order=shipment,
        shipment_pair=carrier[shipment] * len(centers) + center[shipment],
        shipment_on_time=delivered_at[shipment] <= promised_at[shipment],
        shipment_delivered=s_delivered,
        payment_method=orders.method[order],
        payment_declined=row_status == 2,
    )
