"""Moves the live shop forward in simulated time.

Each step advances the shop's simulated clock (``sim.clock``) by a number of
hours and writes what a real shop would write in that time, in the order an
order goes through the shop: price-list changes, new orders (some from new
customers), payment attempts (declines, retries, bank transfers that settle
days later, orders cancelled when their payment gives up), shipments leaving
(or orders cancelled first) and arriving (some late), returns requested weeks
after delivery, received, and refunded or rejected, customer updates and
promotions. Whatever is due within the step happens in it, so in a long step an
order may be placed, paid and shipped. Every rate and delay comes from the
records in world.py that the generator draws its history from, so the live
shop keeps the character of its past.

Business timestamps (``ordered_at``, ``delivered_at``...) follow the simulated
clock; ``updated_at`` is set by the database to the real time of the write, as
in any shop. Decisions that concern one entity (will this parcel be late? will
this line come back?) are drawn from a hash of its id and the seed, so they do
not depend on how the timeline is cut into steps. An event that fell due before
the step (an order from the generated history, or one a long transaction kept
hidden) happens at the step's start.

The hard cases a change-data-capture pipeline must survive can be asked for:
``long_transaction`` (rows whose updated_at is older than rows committed before
them), ``shared_timestamp`` (a bulk update giving many rows one updated_at) and
``old_order_burst`` (a batch of updates to old orders).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import IntEnum

import numpy as np
import psycopg

from globalcart import db
from globalcart.errors import GlobalCartError
from globalcart.settings import SHOP
from globalcart.source import world

HARD_CASES = ("long_transaction", "shared_timestamp", "old_order_burst")
SIM = "source/simulator/"
DAY = 86_400.0
CENT = Decimal("0.01")


class _Salt(IntEnum):
    """One stream of per-entity draws for each decision."""

    ATTEMPT_PAUSE = 1
    DECLINE = 2
    RETRY = 3
    PREFERRED_METHOD = 4
    METHOD = 5
    USUAL_METHOD = 6
    PROVIDER = 7
    SETTLE = 8
    UNPAID_CANCEL = 9
    MAIN_CENTER = 10
    OTHER_CENTER = 11
    CARRIER = 12
    PROMISE = 13
    SHIPPING_COST = 14
    SHIP = 15
    CANCEL = 16
    CANCEL_AT = 17
    LATE = 18
    ARRIVAL = 19
    LATE_BY = 20
    RETURN = 21
    RETURN_DELAY = 22
    PARTIAL_RETURN = 23
    RETURN_UNITS = 24
    LATE_REASON = 25
    REASON = 26
    RECEIVE = 27
    DECIDE = 28
    REJECT = 29


@dataclass
class StepReport:
    """What one step wrote, by kind of event."""

    step: int
    started_at: datetime
    ended_at: datetime
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, event: str, count: int) -> None:
        if count:
            self.counts[event] = self.counts.get(event, 0) + count

    def summary(self) -> str:
        events = ", ".join(f"{name} {count:,}" for name, count in self.counts.items()) or "nothing happened"
        return f"step {self.step}: {self.started_at:%Y-%m-%d %H:%M} -> {self.ended_at:%Y-%m-%d %H:%M} UTC: {events}"


def hash_uniform(ids: np.ndarray, seed: int, salt: int) -> np.ndarray:
    """A uniform [0, 1) number per id, fixed for (id, seed, salt): splitmix64."""
    with np.errstate(over="ignore"):
        x = ids.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
        x ^= np.uint64((seed * 1_000_003 + salt * 7_919) & 0xFFFFFFFFFFFFFFFF)
        x += np.uint64(0x9E3779B97F4A7C15)
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        x ^= x >> np.uint64(31)
    return (x >> np.uint64(11)).astype(np.float64) / float(1 << 53)


def _between(u: np.ndarray, bounds: tuple[float, float]) -> np.ndarray:
    """Uniform numbers in [0, 1) spread over a (low, high) range."""
    low, high = bounds
    return low + (high - low) * u


def _pick(u: np.ndarray, weights: Sequence[float]) -> np.ndarray:
    """Indices with the given (unnormalised) weights, from uniform numbers."""
    cdf = np.cumsum(np.asarray(weights, dtype=np.float64))
    return np.minimum(np.searchsorted(cdf / cdf[-1], u, side="right"), len(cdf) - 1)


def _epoch(times: Sequence[datetime | None]) -> np.ndarray:
    return np.array([t.timestamp() if t is not None else np.nan for t in times], dtype=np.float64)


def _instant(seconds: float) -> datetime:
    return datetime.fromtimestamp(float(seconds), UTC)


def _money(value: float) -> Decimal:
    return Decimal(f"{value:.2f}")


def _rows(conn: psycopg.Connection, name: str, params: dict | None = None) -> list[tuple]:
    return db.fetch_all(conn, SIM + name, params)


def _write(conn: psycopg.Connection, name: str, params: dict) -> int:
    cur = conn.execute(db.sql_text(SIM + name), params)
    return max(cur.rowcount, 0)


def _columns(*names: str) -> dict[str, list]:
    return {name: [] for name in names}


_METHOD_SHARES = [m.share for m in world.PAYMENT_METHODS]
_METHODS = {m.name: m for m in world.PAYMENT_METHODS}
_REGIONS = {r.name: r for r in world.REGIONS}
_CATEGORIES = {c.name: c for c in world.CATEGORIES}
_ON_TIME_RATE = {c.code: c.on_time_rate for c in world.CARRIERS}


class Step:
    """One step of simulated time, written in one transaction."""

    def __init__(
        self, conn: psycopg.Connection, start: datetime, hours: float, seed: int, number: int, stream: int = 0
    ):
        self.conn = conn
        self.t0 = start
        self.t1 = start + timedelta(hours=hours)
        self.start, self.end = start.timestamp(), self.t1.timestamp()
        self.seed = seed
        # One random stream per (seed, step, writer): the same step replays the same way.
        self.rng = np.random.default_rng([seed, number, stream])
        self.report = StepReport(number, self.t0, self.t1)
        # Products repriced in this step: product_id -> (valid_from, the list price before it).
        self.repriced: dict[int, tuple[float, Decimal]] = {}

    # -- helpers -----------------------------------------------------------------------------------

    def _draw(self, ids: Sequence[int] | np.ndarray, salt: _Salt) -> np.ndarray:
        return hash_uniform(np.asarray(ids, dtype=np.int64), self.seed, salt)

    def _by_share(self, records: Sequence[world.Region | world.Segment | world.Channel]) -> int:
        """The index of one record, drawn by the records' shares."""
        return int(_pick(self.rng.random(1), [r.share for r in records])[0])

    def _happens_at(self, due: float) -> datetime:
        """When an event due at ``due`` is written: then, or at the step's start if it fell due before."""
        return _instant(max(due, self.start))

    def _time_in_step(self, count: int) -> list[datetime]:
        """Random moments inside the step, in order."""
        offsets = np.sort(self.rng.uniform(0, self.end - self.start, count))
        return [_instant(self.start + s) for s in offsets]

    def _reserve_ids(self, table: str, column: str, count: int) -> list[int]:
        if count == 0:
            return []
        rows = _rows(
            self.conn,
            "reserve_ids.sql",
            {"table_name": f"shop.{table}", "column_name": column, "count": count},
        )
        return [row[0] for row in rows]

    # -- the shop's events, in the order an order meets them --------------------------------------------

    def reprice_products(self) -> None:
        """Each product gets a new price list now and then: a small log step, kept on x.99 price points."""
        catalogue = world.CATALOGUE
        products = _rows(self.conn, "select_active_products.sql")
        days = (self.end - self.start) / DAY
        chosen = [p for p in products if self.rng.random() < days / catalogue.reprice_every_days]
        drift = (1 + catalogue.cost_drift_per_year) ** (catalogue.reprice_every_days / 365.25)
        changes = _columns("product_id", "valid_from", "list_price", "unit_cost")
        for product_id, _, list_price, unit_cost in chosen:
            valid_from = self.start + self.rng.uniform(0, self.end - self.start)
            step = self.rng.normal(catalogue.price_step_mean, catalogue.price_step_sigma)
            # A list price of x.99 stands for a price somewhere in (x - 1, x]: step from the middle.
            price = (float(list_price) + 0.01 - 0.5) * math.exp(step)
            changes["product_id"].append(product_id)
            changes["valid_from"].append(_instant(valid_from))
            changes["list_price"].append(Decimal(max(math.ceil(price) * 100 - 1, 99)) / 100)
            changes["unit_cost"].append(_money(float(unit_cost) * drift * self.rng.uniform(*catalogue.cost_noise)))
            self.repriced[product_id] = (valid_from, list_price)
        _write(self.conn, "reprice_products.sql", changes)
        self.report.add("price changes", len(chosen))

    def place_orders(self, count: int | None = None) -> None:
        """New orders at the shop's recent pace, following the weekly and daily rhythm; some from new customers."""
        slots = self._demand_slots()
        if count is None:
            (rate,) = _rows(self.conn, "select_recent_order_rate.sql", {"since": self.t0})[0]
            count = int(self.rng.poisson(max(rate, 1.0) / 24 * slots[:, 2].sum()))
        if count == 0:
            return
        products = _rows(self.conn, "select_active_products.sql")
        if not products:
            raise GlobalCartError("the shop has no active products; generate a source history first")
        slot = self.rng.choice(len(slots), count, p=slots[:, 2] / slots[:, 2].sum())
        ordered_at = np.sort(slots[slot, 0] + self.rng.uniform(0, 1, count) * slots[slot, 1])
        customer_ids, usual_channels = self._customers_for(ordered_at)
        promotion = _rows(self.conn, "select_active_promotion.sql", {"at": self.t0})
        order_ids = self._reserve_ids("orders", "order_id", count)
        channel_names = [c.name for c in world.CHANNELS]
        other_channel = _pick(self.rng.random(count), [c.share for c in world.CHANNELS])
        preferred = self.rng.random(count) < world.CUSTOMERS.preferred_channel_share
        uses_promotion = (
            self.rng.random(count) < world.PROMOTIONS.use_share_end if promotion else np.zeros(count, dtype=bool)
        )
        orders = {
            "order_id": order_ids,
            "customer_id": customer_ids,
            "channel": [
                usual if keep else channel_names[other]
                for usual, keep, other in zip(usual_channels, preferred, other_channel, strict=True)
            ],
            "promotion_id": [promotion[0][0] if use else None for use in uses_promotion],
            "ordered_at": [_instant(at) for at in ordered_at],
        }
        rate = promotion[0][1] if promotion else Decimal(0)
        items = self._items_for(order_ids, ordered_at, uses_promotion, rate, products)
        self.report.add("orders placed", _write(self.conn, "insert_orders.sql", orders))
        self.report.add("order lines", _write(self.conn, "insert_order_items.sql", items))

    def _demand_slots(self) -> np.ndarray:
        """The step cut at whole hours: (start, seconds, weight) per piece, weight = hours x demand factor."""
        demand = world.DEMAND
        weekly = np.asarray(demand.weekly_profile) / np.mean(demand.weekly_profile)
        hourly = np.asarray(demand.hourly_profile) / np.mean(demand.hourly_profile)
        edges = np.arange(math.floor(self.start / 3600) * 3600.0, self.end + 3600, 3600)
        starts = np.clip(edges[:-1], self.start, self.end)
        lengths = np.clip(edges[1:], self.start, self.end) - starts
        hours = (edges[:-1] // 3600).astype(np.int64)
        weekday = (hours // 24 + 3) % 7  # 1970-01-01 was a Thursday; Monday is 0
        weight = lengths / 3600 * weekly[weekday] * hourly[hours % 24]
        return np.column_stack([starts, lengths, weight])[lengths > 0]

    def _customers_for(self, ordered_at: np.ndarray) -> tuple[list[int], list[str]]:
        """Most orders come from customers who have an account, the rest from customers signing up now.

        Returns each order's customer and the channel that acquired that customer.
        """
        behaviour = world.CUSTOMERS
        count = len(ordered_at)
        (max_id,) = _rows(self.conn, "select_max_customer_id.sql")[0]
        returning = self.rng.random(count) < behaviour.returning_order_share if max_id else np.zeros(count, bool)
        candidates = self.rng.integers(1, max_id + 1, count) if max_id else np.zeros(count, dtype=np.int64)
        known = dict(
            _rows(
                self.conn,
                "select_customers_by_id.sql",
                {"customer_ids": [int(c) for c in candidates[returning]]},
            )
        )
        new_count = sum(1 for flag, c in zip(returning, candidates, strict=True) if not (flag and int(c) in known))
        new_ids = iter(self._reserve_ids("customers", "customer_id", new_count))
        customers = _columns(
            "customer_id",
            "email",
            "full_name",
            "region",
            "country_code",
            "segment",
            "acquisition_channel",
            "signed_up_at",
        )
        chosen, channels = [], []
        low, high = behaviour.signup_at_checkout_minutes
        for flag, candidate, at in zip(returning, candidates, ordered_at, strict=True):
            if flag and int(candidate) in known:
                chosen.append(int(candidate))
                channels.append(known[int(candidate)])
                continue
            customer_id = next(new_ids)
            region = world.REGIONS[self._by_share(world.REGIONS)]
            segment = world.SEGMENTS[self._by_share(world.SEGMENTS)]
            channel = world.CHANNELS[self._by_share(world.CHANNELS)]
            customers["customer_id"].append(customer_id)
            customers["email"].append(f"customer{customer_id}@example.com")
            customers["full_name"].append(f"Customer {customer_id}")
            customers["region"].append(region.name)
            customers["country_code"].append(region.countries[self.rng.integers(len(region.countries))])
            customers["segment"].append(segment.name)
            customers["acquisition_channel"].append(channel.name)
            customers["signed_up_at"].append(_instant(at - 60 * float(self.rng.uniform(low, high))))
            chosen.append(customer_id)
            channels.append(channel.name)
        self.report.add("customers signed up", _write(self.conn, "insert_customers.sql", customers))
        return chosen, channels

    def _items_for(
        self,
        order_ids: list[int],
        ordered_at: np.ndarray,
        promoted: np.ndarray,
        discount_rate: Decimal,
        products: list[tuple],
    ) -> dict[str, list]:
        """Order lines: categories by share, longer-listed products more popular, priced as of the order."""
        baskets = world.BASKETS
        by_category: dict[str, list[tuple]] = {}
        for product in products:  # ids follow launch order
            by_category.setdefault(product[1], []).append(product)
        categories = [c for c in world.CATEGORIES if c.name in by_category]
        lines = _pick(self.rng.random(len(order_ids)), baskets.lines_per_order) + 1
        n = int(lines.sum())
        order = np.repeat(np.arange(len(order_ids)), lines)
        category = _pick(self.rng.random(n), [c.share for c in categories])
        popularity = self.rng.random(n) ** baskets.popularity_skew
        quantity = _pick(self.rng.random(n), baskets.units_per_line) + 1
        items = _columns("order_id", "line_number", "product_id", "quantity", "unit_price", "discount_amount")
        line_number = 0
        for i in range(n):
            line_number = 1 if i == 0 or order[i] != order[i - 1] else line_number + 1
            pool = by_category[categories[category[i]].name]
            product_id, _, list_price, _ = pool[int(popularity[i] * len(pool))]
            valid_from, old_price = self.repriced.get(product_id, (-math.inf, list_price))
            price = list_price if ordered_at[order[i]] >= valid_from else old_price
            units = int(quantity[i])
            discount = (price * units * discount_rate).quantize(CENT, ROUND_HALF_UP) if promoted[order[i]] else 0
            items["order_id"].append(order_ids[order[i]])
            items["line_number"].append(line_number)
            items["product_id"].append(product_id)
            items["quantity"].append(units)
            items["unit_price"].append(price)
            items["discount_amount"].append(Decimal(discount))
        return items

    def settle_payments(self) -> None:
        """Placed orders try to pay: declines, retries, captures, bank transfers that settle later;
        an order whose payment gives up is cancelled a day or two later."""
        orders = _rows(self.conn, "select_orders_awaiting_payment.sql", {"until": self.t1})
        if not orders:
            return
        model = world.PAYMENTS
        tries = model.max_attempts
        ids = np.array([o[0] for o in orders], dtype=np.int64)
        attempt_keys = ids[:, None] * 8 + np.arange(1, tries + 1)  # one draw per order and attempt number
        # The pause before each attempt: after the order for the first, after the previous attempt for the others.
        pause = self._draw(attempt_keys, _Salt.ATTEMPT_PAUSE)
        pause[:, 0] = _between(pause[:, 0], model.first_attempt_seconds)
        pause[:, 1:] = _between(pause[:, 1:], model.retry_seconds)
        decline_draw = self._draw(attempt_keys, _Salt.DECLINE)
        retry_draw = self._draw(attempt_keys, _Salt.RETRY)
        settle = _between(self._draw(ids, _Salt.SETTLE), model.bank_transfer_settle_days) * DAY
        give_up = _between(self._draw(ids, _Salt.UNPAID_CANCEL), model.unpaid_cancel_days) * DAY
        method_of = self._payment_methods(ids, np.array([o[1] for o in orders], dtype=np.int64))
        provider_draw = self._draw(ids, _Salt.PROVIDER)
        ordered_at = _epoch([o[2] for o in orders])
        last_at = _epoch([o[5] for o in orders])

        payments = _columns(
            "order_id",
            "attempt_number",
            "payment_method",
            "provider",
            "status",
            "amount",
            "decline_reason",
            "attempted_at",
        )
        captured: list[int] = []  # authorized in an earlier step, captured now
        paid: dict[str, list] = _columns("order_id", "paid_at")
        paid_rows: list[int] = []  # index into orders
        cancelled = _columns("order_id", "cancelled_at")
        for i, (order_id, _, _, _, attempts, _, last_method, status, amount, _) in enumerate(orders):
            method = _METHODS[last_method] if last_method else method_of[i]
            at = last_at[i]
            authorized_now = False  # the authorized attempt was written in this step
            while True:
                if status == "authorized":
                    due = at + settle[i]
                    if due < self.end:
                        if authorized_now:
                            payments["status"][-1] = "captured"
                        else:
                            captured.append(order_id)
                        paid["order_id"].append(order_id)
                        paid["paid_at"].append(self._happens_at(due))
                        paid_rows.append(i)
                    break
                if status == "declined":
                    if attempts >= tries or retry_draw[i, attempts - 1] >= model.retry_probability:
                        due = at + give_up[i]
                        if due < self.end:
                            cancelled["order_id"].append(order_id)
                            cancelled["cancelled_at"].append(self._happens_at(due))
                        break
                    due = at + pause[i, attempts]
                elif status is None:
                    due = ordered_at[i] + pause[i, 0]
                else:
                    break
                if due >= self.end:
                    break
                at = max(due, self.start)
                attempts += 1
                declined = decline_draw[i, attempts - 1] < method.decline_rate
                status = "declined" if declined else "authorized" if method.name == "bank_transfer" else "captured"
                payments["order_id"].append(order_id)
                payments["attempt_number"].append(attempts)
                payments["payment_method"].append(method.name)
                payments["provider"].append(method.providers[int(provider_draw[i] * len(method.providers))])
                payments["status"].append(status)
                payments["amount"].append(amount)
                payments["decline_reason"].append(
                    world.DECLINE_REASONS[self.rng.integers(len(world.DECLINE_REASONS))] if declined else None
                )
                payments["attempted_at"].append(_instant(at))
                authorized_now = status == "authorized"
                if status == "captured":
                    paid["order_id"].append(order_id)
                    paid["paid_at"].append(_instant(at))
                    paid_rows.append(i)
                    break
        self.report.add("payment attempts", _write(self.conn, "insert_payments.sql", payments))
        self.report.add("payments declined", sum(s == "declined" for s in payments["status"]))
        _write(self.conn, "capture_payments.sql", {"order_id": captured})
        self.report.add("orders paid", _write(self.conn, "update_orders_paid.sql", paid))
        shipments = self._shipments_for([orders[i] for i in paid_rows], _epoch(paid["paid_at"]))
        _write(self.conn, "insert_shipments.sql", shipments)
        self.report.add("orders cancelled", _write(self.conn, "cancel_orders.sql", cancelled))

    def _payment_methods(self, order_ids: np.ndarray, customer_ids: np.ndarray) -> list[world.PaymentMethod]:
        """Most orders are paid with the customer's usual method, the others with any method, by share."""
        methods = world.PAYMENT_METHODS
        usual = _pick(self._draw(customer_ids, _Salt.USUAL_METHOD), _METHOD_SHARES)
        other = _pick(self._draw(order_ids, _Salt.METHOD), _METHOD_SHARES)
        keeps = self._draw(order_ids, _Salt.PREFERRED_METHOD) < world.CUSTOMERS.preferred_method_share
        return [methods[u] if keep else methods[o] for u, o, keep in zip(usual, other, keeps, strict=True)]

    def _shipments_for(self, orders: list[tuple], paid_at: np.ndarray) -> dict[str, list]:
        """Shipping labels for orders just paid: center, carrier, promised delivery and cost."""
        shipping = world.SHIPPING
        shipments = _columns("order_id", "carrier_code", "fulfillment_center_code", "shipping_cost", "promised_at")
        if not orders:
            return shipments
        ids = np.array([o[0] for o in orders], dtype=np.int64)
        main = self._draw(ids, _Salt.MAIN_CENTER) < shipping.main_center_share
        other = self._draw(ids, _Salt.OTHER_CENTER)
        carrier = _pick(self._draw(ids, _Salt.CARRIER), [c.share for c in world.CARRIERS])
        low, high = shipping.promised_days
        promise_days = low + (self._draw(ids, _Salt.PROMISE) * (high - low + 1)).astype(np.int64)
        spread = _between(self._draw(ids, _Salt.SHIPPING_COST), shipping.cost_spread)
        for i, order in enumerate(orders):
            region = _REGIONS[order[3]]
            centers = region.fulfillment_centers
            others = centers[1:] or centers
            center = centers[0] if main[i] else others[int(other[i] * len(others))]
            tariff = region.shipping_base_cost + shipping.cost_per_unit * float(order[9]) ** shipping.cost_unit_exponent
            shipments["order_id"].append(int(ids[i]))
            shipments["carrier_code"].append(world.CARRIERS[carrier[i]].code)
            shipments["fulfillment_center_code"].append(center)
            shipments["shipping_cost"].append(max(_money(tariff * spread[i]), CENT))
            shipments["promised_at"].append(_instant(paid_at[i] + promise_days[i] * DAY))
        return shipments

    def ship_orders(self) -> None:
        """Parcels leave a share of the promised time after payment; a few orders are cancelled first."""
        shipping = world.SHIPPING
        orders = _rows(self.conn, "select_orders_to_ship.sql")
        if not orders:
            return
        ids = np.array([o[0] for o in orders], dtype=np.int64)
        paid_at, promised_at = _epoch([o[1] for o in orders]), _epoch([o[2] for o in orders])
        share = _between(self._draw(ids, _Salt.SHIP), shipping.ships_after_promise_share)
        ships = paid_at + shipping.picking_minutes * 60 + (promised_at - paid_at) * share
        cancels = self._draw(ids, _Salt.CANCEL) < shipping.cancellation_rate
        cancel_at = paid_at + (ships - paid_at) * _between(
            self._draw(ids, _Salt.CANCEL_AT), shipping.cancel_share_of_wait
        )
        ship = _columns("order_id", "shipped_at")
        cancel = _columns("order_id", "cancelled_at")
        for i, order_id in enumerate(ids.tolist()):
            due = cancel_at[i] if cancels[i] else ships[i]
            if due >= self.end:
                continue
            target, column = (cancel, "cancelled_at") if cancels[i] else (ship, "shipped_at")
            target["order_id"].append(order_id)
            target[column].append(self._happens_at(due))
        self.report.add("orders shipped", _write(self.conn, "ship_orders.sql", ship))
        self.report.add("orders cancelled", _write(self.conn, "cancel_orders.sql", cancel))

    def deliver_orders(self) -> None:
        """Parcels arrive; whether one is late depends on its carrier and fulfillment center."""
        shipping = world.SHIPPING
        shipments = _rows(self.conn, "select_shipments_in_transit.sql")
        if not shipments:
            return
        ids = np.array([s[0] for s in shipments], dtype=np.int64)
        shipped_at, promised_at = _epoch([s[3] for s in shipments]), _epoch([s[4] for s in shipments])
        rate = np.array(
            [
                world.LATE_PAIR_ON_TIME_RATE if (carrier, center) == world.LATE_PAIR else _ON_TIME_RATE[carrier]
                for _, carrier, center, _, _ in shipments
            ]
        )
        on_time = self._draw(ids, _Salt.LATE) < rate
        arrival = self._draw(ids, _Salt.ARRIVAL)
        early_by = (promised_at - shipped_at) * _between(arrival, shipping.early_share)
        # The days a late parcel takes beyond the promise: Gamma(shape, 1 day), as a sum of exponentials.
        late_days = sum(-np.log1p(-self._draw(ids * 8 + k, _Salt.LATE_BY)) for k in range(shipping.late_gamma_shape))
        late_by = shipping.late_min_hours * 3600 + late_days * DAY
        arrives = np.where(on_time, promised_at - early_by, promised_at + late_by)
        deliver = _columns("order_id", "delivered_at")
        late = 0
        for i, order_id in enumerate(ids.tolist()):
            if arrives[i] >= self.end:
                continue
            when = max(arrives[i], shipped_at[i], self.start)
            late += int(when > promised_at[i])
            deliver["order_id"].append(order_id)
            deliver["delivered_at"].append(_instant(when))
        self.report.add("orders delivered", _write(self.conn, "deliver_orders.sql", deliver))
        self.report.add("delivered late", late)

    def request_returns(self) -> None:
        """Customers send lines back 3 to 45 days after delivery, more often (and saying why) after a late parcel."""
        policy = world.RETURNS
        low, high = policy.delay_days
        lines = _rows(
            self.conn, "select_lines_open_for_return.sql", {"delivered_since": self.t0 - timedelta(days=high)}
        )
        if not lines:
            return
        ids = np.array([line[0] for line in lines], dtype=np.int64)
        quantity = np.array([line[1] for line in lines], dtype=np.int64)
        category = [_CATEGORIES[line[2]] for line in lines]
        late = np.array([bool(line[4]) for line in lines])
        rate = np.array([c.return_rate for c in category])
        probability = np.minimum(rate * np.where(late, policy.late_delivery_uplift, 1.0), policy.max_probability)
        requested_at = (
            _epoch([line[3] for line in lines]) + _between(self._draw(ids, _Salt.RETURN_DELAY), (low, high)) * DAY
        )
        chosen = (
            (self._draw(ids, _Salt.RETURN) < probability) & (requested_at >= self.start) & (requested_at < self.end)
        )
        partial = (quantity > 1) & (self._draw(ids, _Salt.PARTIAL_RETURN) >= policy.full_return_share)
        units = np.where(partial, 1 + (self._draw(ids, _Salt.RETURN_UNITS) * (quantity - 1)).astype(np.int64), quantity)
        blames_lateness = late & (self._draw(ids, _Salt.LATE_REASON) < policy.late_reason_share)
        other_reasons = world.RETURN_REASONS[:-1]  # all but late_delivery
        reason_draw = self._draw(ids, _Salt.REASON)
        returns = _columns("order_item_id", "quantity", "reason", "requested_at")
        for i in np.flatnonzero(chosen):
            weights = [getattr(category[i].reasons, r) for r in other_reasons]
            returns["order_item_id"].append(int(ids[i]))
            returns["quantity"].append(int(units[i]))
            returns["reason"].append(
                "late_delivery" if blames_lateness[i] else other_reasons[_pick(reason_draw[i : i + 1], weights)[0]]
            )
            returns["requested_at"].append(_instant(requested_at[i]))
        self.report.add("returns requested", _write(self.conn, "insert_returns.sql", returns))

    def settle_returns(self) -> None:
        """Returned parcels reach the shop days after the request; each is then refunded or rejected."""
        policy = world.RETURNS
        open_returns = _rows(self.conn, "select_open_returns.sql")
        if not open_returns:
            return
        ids = np.array([r[0] for r in open_returns], dtype=np.int64)
        receive_after = _between(self._draw(ids, _Salt.RECEIVE), policy.received_days) * DAY
        decide_after = _between(self._draw(ids, _Salt.DECIDE), policy.decided_days) * DAY
        rejected = self._draw(ids, _Salt.REJECT) < policy.rejected_share
        requested_at, received_at = _epoch([r[2] for r in open_returns]), _epoch([r[3] for r in open_returns])
        received = _columns("return_id", "received_at")
        settled = _columns("return_id", "status", "settled_at")
        for i, (return_id, status, _, _) in enumerate(open_returns):
            arrived = received_at[i]
            if status == "requested":
                due = requested_at[i] + receive_after[i]
                if due >= self.end:
                    continue
                arrived = max(due, self.start)
                received["return_id"].append(return_id)
                received["received_at"].append(_instant(arrived))
            decided = arrived + decide_after[i]
            if decided < self.end:
                settled["return_id"].append(return_id)
                settled["status"].append("rejected" if rejected[i] else "refunded")
                settled["settled_at"].append(self._happens_at(decided))
        self.report.add("returns received", _write(self.conn, "receive_returns.sql", received))
        self.report.add("refunds", _write(self.conn, "settle_returns.sql", settled))

    def update_customers(self) -> None:
        """A few customers move, change segment, or close their account."""
        behaviour = world.CUSTOMERS
        (max_id,) = _rows(self.conn, "select_max_customer_id.sql")[0]
        days = (self.end - self.start) / DAY
        count = int(self.rng.poisson(max_id * behaviour.changes_per_customer_day * days)) if max_id else 0
        if count == 0:
            return
        ids = [int(i) for i in self.rng.integers(1, max_id + 1, count)]
        rows = _rows(self.conn, "select_customers_for_update.sql", {"customer_ids": ids})
        update = _columns("customer_id", "region", "country_code", "segment", "status")
        segments = [s.name for s in world.SEGMENTS]
        for customer_id, region, country, segment in rows:
            draw = self.rng.random()
            status = "active"
            if draw < behaviour.move_share:
                new_region = world.REGIONS[self.rng.integers(len(world.REGIONS))]
                region, country = new_region.name, new_region.countries[0]
            elif draw < behaviour.move_share + behaviour.segment_change_share:
                segment = segments[self.rng.integers(len(segments))]
            else:
                status = "closed"
            for key, value in zip(update, (customer_id, region, country, segment, status), strict=True):
                update[key].append(value)
        self.report.add("customers updated", _write(self.conn, "update_customers.sql", update))

    def run_promotions(self) -> None:
        """Promotions end on time; new ones start as often as in the history, as deep as in the mature shop,
        and the yearly campaign before the peak runs deeper."""
        offers = world.PROMOTIONS
        self.report.add("promotions ended", _write(self.conn, "end_promotions.sql", {"at": self.t1}))
        days = (self.end - self.start) / DAY
        starts = []
        if self.rng.random() < days / np.mean(offers.gap_days):
            starts.append((self._time_in_step(1)[0], False))
        year_start = datetime(self.t0.year, 1, 1, tzinfo=UTC)
        peak_start = year_start + timedelta(
            days=world.DEMAND.yearly_peak_day - offers.peak_lead_days, hours=offers.peak_start_hour
        )
        if self.t0 <= peak_start < self.t1:
            starts.append((peak_start, True))
        for starts_at, peak in starts:
            depth = offers.depth_end * self.rng.uniform(*offers.depth_spread) * (offers.peak_depth if peak else 1.0)
            length = offers.peak_length_days if peak else self.rng.uniform(*offers.length_days)
            prefix = "SIMPEAK" if peak else "SIM"
            _write(
                self.conn,
                "insert_promotion.sql",
                {
                    "promotion_code": f"{prefix}-{starts_at:%Y%m%d%H%M}-{self.rng.integers(10_000):04d}",
                    "discount_rate": Decimal(f"{float(np.clip(depth, *offers.rate_bounds)):.4f}"),
                    "starts_at": starts_at,
                    "ends_at": starts_at + timedelta(days=float(length)),
                },
            )
            self.report.add("promotions started", 1)

    def hard_case(self, name: str, row_count: int) -> None:
        if name == "shared_timestamp":
            self.report.add(
                "shipments re-billed in one statement",
                _write(self.conn, "rebill_recent_shipping.sql", {"row_count": row_count}),
            )
        elif name == "old_order_burst":
            self.report.add(
                "old orders corrected",
                _write(
                    self.conn,
                    "reclassify_old_orders.sql",
                    {"older_than": self.t0 - timedelta(days=60), "row_count": row_count},
                ),
            )

    def run(self, hard_cases: Sequence[str], burst_rows: int) -> StepReport:
        self.reprice_products()
        self.place_orders()
        self.settle_payments()
        self.ship_orders()
        self.deliver_orders()
        self.request_returns()
        self.settle_returns()
        self.update_customers()
        self.run_promotions()
        for name in hard_cases:
            self.hard_case(name, burst_rows)
        return self.report


@contextmanager
def long_transaction(order_count: int = 50) -> Iterator[int]:
    """Hold open a transaction that has placed ``order_count`` orders; commit it on exit.

    Its rows carry an ``updated_at`` from the start of the transaction but become
    visible only at commit, after anything written meanwhile: the classic trap for
    a pipeline that trusts a timestamp watermark (a slow checkout batch, here).
    Yields the number of order lines written.
    """
    with db.connect(SHOP) as conn, db.transaction(conn):
        clock = _read_clock(conn, "source/sim/read_clock.sql")
        step = Step(conn, clock[0], 1.0, clock[2], clock[1] + 1, stream=1)
        step.place_orders(count=order_count)
        yield step.report.counts.get("order lines", 0)


def _read_clock(conn: psycopg.Connection, name: str) -> tuple[datetime, int, int]:
    try:
        clock = db.fetch_all(conn, name)
    except psycopg.errors.UndefinedTable:
        clock = []
    if not clock:
        raise GlobalCartError("the source has no simulation clock; run `globalcart generate` first")
    return clock[0]


def simulate(
    steps: int,
    hours: float = 6.0,
    hard_cases: Sequence[str] = (),
    burst_rows: int = 500,
    progress: Callable[[str], None] = lambda _: None,
) -> list[StepReport]:
    """Advance the shop ``steps`` times by ``hours`` of simulated time each."""
    if steps < 1:
        raise GlobalCartError(f"steps must be at least 1, got {steps}")
    if not 0 < hours <= 24 * 7:
        raise GlobalCartError(f"hours per step must be above 0 and at most 168, got {hours}")
    if burst_rows < 1:
        raise GlobalCartError(f"burst rows must be at least 1, got {burst_rows}")
    unknown = sorted(set(hard_cases) - set(HARD_CASES))
    if unknown:
        raise GlobalCartError(f"unknown hard case {unknown[0]!r}; choose from {', '.join(HARD_CASES)}")
    reports = []
    for _ in range(steps):
        report = _one_step(hours, hard_cases, burst_rows)
        progress(report.summary())
        reports.append(report)
    return reports


def _one_step(hours: float, hard_cases: Sequence[str], burst_rows: int) -> StepReport:
    with db.connect(SHOP) as conn:
        with db.transaction(conn):
            simulated_at, step_count, seed = _read_clock(conn, "source/sim/select_clock.sql")
            step = Step(conn, simulated_at, hours, seed, step_count + 1)
            if "long_transaction" not in hard_cases:
                report = step.run(hard_cases, burst_rows)
            else:
                # The long transaction starts first and commits last, after this step's own writes.
                started, release = threading.Event(), threading.Event()
                written: list[int] = []

                def hold() -> None:
                    with long_transaction(burst_rows) as count:
                        written.append(count)
                        started.set()
                        release.wait(timeout=600)

                holder = threading.Thread(target=hold, name="long-transaction")
                holder.start()
                started.wait(timeout=60)
                report = step.run(hard_cases, burst_rows)
            db.run_sql_file(conn, "source/sim/advance_clock.sql", {"simulated_at": step.t1})
        if "long_transaction" in hard_cases:
            release.set()
            holder.join()
            report.add("order lines in a long transaction", written[0] if written else 0)
    return report
