"""Moves the live shop forward in simulated time.

Each step advances the shop's simulated clock (``sim.clock``) by a number of
hours and writes what a real shop would write in that time: payment attempts
(declines, retries, captures), shipments leaving and arriving (some late),
cancellations, returns requested weeks after delivery and later refunded,
price-list changes, customer updates, promotions, and new orders.

Business timestamps (``ordered_at``, ``delivered_at``...) follow the simulated
clock; ``updated_at`` is set by the database to the real time of the write, as
in any shop. Decisions that concern one entity (will this parcel be late? will
this line come back?) are drawn from a hash of its id and the seed, so they do
not depend on how the timeline is cut into steps.

The hard cases a change-data-capture pipeline must survive can be asked for:
``long_transaction`` (rows whose updated_at is older than rows committed before
them), ``shared_timestamp`` (a bulk update giving many rows one updated_at) and
``old_order_burst`` (a batch of updates to old orders).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

import numpy as np
import psycopg

from globalcart import db
from globalcart.errors import GlobalCartError
from globalcart.settings import SHOP
from globalcart.source import world

HARD_CASES = ("long_transaction", "shared_timestamp", "old_order_burst")
SIM = "source/simulator/"

# Salts for the per-entity draws, so that each decision has its own stream.
_SALT_LATE, _SALT_DELIVERY, _SALT_SHIP, _SALT_CANCEL = 1, 2, 3, 4
_SALT_RETURN, _SALT_RETURN_DELAY, _SALT_RECEIVE, _SALT_SETTLE = 5, 6, 7, 8


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


def _rows(conn: psycopg.Connection, name: str, params: dict | None = None) -> list[tuple]:
    return db.fetch_all(conn, SIM + name, params)


def _write(conn: psycopg.Connection, name: str, params: dict) -> int:
    cur = conn.execute(db.sql_text(SIM + name), params)
    return max(cur.rowcount, 0)


def _money(value: float) -> Decimal:
    return Decimal(f"{value:.2f}")


class Step:
    """One step of simulated time, written in one transaction."""

    def __init__(
        self, conn: psycopg.Connection, start: datetime, hours: float, seed: int, number: int, stream: int = 0
    ):
        self.conn = conn
        self.t0 = start
        self.t1 = start + timedelta(hours=hours)
        self.seed = seed
        # One random stream per (seed, step, writer): the same step replays the same way.
        self.rng = np.random.default_rng([seed, number, stream])
        self.report = StepReport(number, self.t0, self.t1)

    # -- helpers -----------------------------------------------------------------------------------

    def _time_in_step(self, count: int, not_before: Sequence[datetime] | None = None) -> list[datetime]:
        """Random moments inside the step, each after its not_before (if given)."""
        span = (self.t1 - self.t0).total_seconds()
        offsets = np.sort(self.rng.uniform(0, span, count)) if not_before is None else self.rng.uniform(0, 1, count)
        if not_before is None:
            return [self.t0 + timedelta(seconds=float(s)) for s in offsets]
        times = []
        for floor, share in zip(not_before, offsets, strict=True):
            low = max(floor, self.t0)
            times.append(low + (self.t1 - low) * float(share) if low < self.t1 else self.t1)
        return times

    def _reserve_ids(self, table: str, column: str, count: int) -> list[int]:
        if count == 0:
            return []
        rows = _rows(
            self.conn,
            "reserve_ids.sql",
            {"table_name": f"shop.{table}", "column_name": column, "count": count},
        )
        return [row[0] for row in rows]

    # -- the shop's events, oldest pipeline stage first ------------------------------------------------

    def settle_payments(self) -> None:
        """Placed orders try to pay: declines, retries, captures; a payment that gives up cancels the order."""
        orders = _rows(self.conn, "select_orders_awaiting_payment.sql", {"until": self.t1})
        if not orders:
            return
        methods = world.PAYMENT_METHODS
        shares = np.array([m.share for m in methods])
        payments: dict[str, list] = {
            k: []
            for k in (
                "order_id",
                "attempt_number",
                "payment_method",
                "provider",
                "status",
                "amount",
                "decline_reason",
                "attempted_at",
            )
        }
        paid: dict[str, list] = {"order_id": [], "paid_at": []}
        cancelled: dict[str, list] = {"order_id": [], "cancelled_at": []}
        shipments: dict[str, list] = {
            k: [] for k in ("order_id", "carrier_code", "fulfillment_center_code", "shipping_cost", "promised_at")
        }
        not_before = [max(o[1], o[4] or o[1]) + timedelta(minutes=2) for o in orders]
        attempt_times = self._time_in_step(len(orders), not_before)
        regions = {r.name: r for r in world.REGIONS}
        for (order_id, _, region, attempts, _, last_method, amount), at in zip(orders, attempt_times, strict=True):
            if at >= self.t1:
                continue
            if last_method is not None and self.rng.random() < 0.5:
                method = next(m for m in methods if m.name == last_method)
            else:
                method = methods[self.rng.choice(len(methods), p=shares)]
            attempt = attempts + 1
            declined = self.rng.random() < method.decline_rate
            payments["order_id"].append(order_id)
            payments["attempt_number"].append(attempt)
            payments["payment_method"].append(method.name)
            payments["provider"].append(method.providers[self.rng.integers(len(method.providers))])
            payments["status"].append("declined" if declined else "captured")
            payments["amount"].append(amount)
            payments["decline_reason"].append(
                world.DECLINE_REASONS[self.rng.integers(len(world.DECLINE_REASONS))] if declined else None
            )
            payments["attempted_at"].append(at)
            if declined:
                gives_up = (
                    attempt >= world.PAYMENTS.max_attempts or self.rng.random() >= world.PAYMENTS.retry_probability
                )
                if gives_up:
                    cancelled["order_id"].append(order_id)
                    cancelled["cancelled_at"].append(at + timedelta(minutes=1))
                continue
            paid["order_id"].append(order_id)
            paid["paid_at"].append(at)
            centers = regions[region].fulfillment_centers
            center = centers[0] if self.rng.random() < 0.7 else centers[self.rng.integers(len(centers))]
            carriers = world.CARRIERS
            carrier_shares = np.array([c.share for c in carriers])
            carrier = carriers[self.rng.choice(len(carriers), p=carrier_shares / carrier_shares.sum())].code
            low, high = world.SHIPPING.promised_days
            shipments["order_id"].append(order_id)
            shipments["carrier_code"].append(carrier)
            shipments["fulfillment_center_code"].append(center)
            shipments["shipping_cost"].append(_money(4.5 + float(amount) * 0.03 + self.rng.uniform(0, 3)))
            shipments["promised_at"].append(at + timedelta(days=int(self.rng.integers(low, high + 1))))
        self.report.add("payment attempts", _write(self.conn, "insert_payments.sql", payments))
        self.report.add("payments declined", sum(s == "declined" for s in payments["status"]))
        self.report.add("orders paid", _write(self.conn, "update_orders_paid.sql", paid))
        _write(self.conn, "insert_shipments.sql", shipments)
        self.report.add("orders cancelled", _write(self.conn, "cancel_orders.sql", cancelled))

    def ship_orders(self) -> None:
        """Paid orders leave the fulfillment center 4 to 36 hours later; a few are cancelled first."""
        orders = _rows(self.conn, "select_orders_to_ship.sql")
        if not orders:
            return
        ids = np.array([o[0] for o in orders], dtype=np.int64)
        delay_hours = 4 + 32 * hash_uniform(ids, self.seed, _SALT_SHIP)
        cancels = hash_uniform(ids, self.seed, _SALT_CANCEL) < world.SHIPPING.cancellation_rate / 2
        ship: dict[str, list] = {"order_id": [], "shipped_at": []}
        cancel: dict[str, list] = {"order_id": [], "cancelled_at": []}
        for (order_id, paid_at), hours, is_cancelled in zip(orders, delay_hours, cancels, strict=True):
            when = paid_at + timedelta(hours=float(hours))
            if when >= self.t1:
                continue
            target = cancel if is_cancelled else ship
            target["order_id"].append(order_id)
            target["cancelled_at" if is_cancelled else "shipped_at"].append(max(when, self.t0))
        self.report.add("orders shipped", _write(self.conn, "ship_orders.sql", ship))
        self.report.add("orders cancelled", _write(self.conn, "cancel_orders.sql", cancel))

    def deliver_orders(self) -> None:
        """Parcels arrive; whether one is late depends on its carrier and fulfillment center."""
        shipments = _rows(self.conn, "select_shipments_in_transit.sql")
        if not shipments:
            return
        ids = np.array([s[0] for s in shipments], dtype=np.int64)
        late_draw = hash_uniform(ids, self.seed, _SALT_LATE)
        timing = hash_uniform(ids, self.seed, _SALT_DELIVERY)
        on_time_rate = {c.code: c.on_time_rate for c in world.CARRIERS}
        deliver: dict[str, list] = {"order_id": [], "delivered_at": []}
        late = 0
        for (order_id, carrier, center, shipped_at, promised_at), draw, share in zip(
            shipments, late_draw, timing, strict=True
        ):
            rate = world.LATE_PAIR_ON_TIME_RATE if (carrier, center) == world.LATE_PAIR else on_time_rate[carrier]
            if draw >= rate:
                arrives = max(promised_at, shipped_at) + timedelta(days=0.5 + 5.5 * float(share))
            else:
                arrives = shipped_at + (promised_at - shipped_at) * (0.3 + 0.7 * float(share))
            if arrives >= self.t1:
                continue
            arrives = max(arrives, shipped_at, self.t0)
            late += arrives > promised_at
            deliver["order_id"].append(order_id)
            deliver["delivered_at"].append(arrives)
        self.report.add("orders delivered", _write(self.conn, "deliver_orders.sql", deliver))
        self.report.add("delivered late", late)

    def request_returns(self) -> None:
        """Customers send lines back 3 to 45 days after delivery, more often after a late parcel."""
        low, high = world.RETURNS.delay_days
        lines = _rows(
            self.conn, "select_lines_open_for_return.sql", {"delivered_since": self.t0 - timedelta(days=high)}
        )
        if not lines:
            return
        rate = {c.name: c.return_rate for c in world.CATEGORIES}
        ids = np.array([line[0] for line in lines], dtype=np.int64)
        draws = hash_uniform(ids, self.seed, _SALT_RETURN)
        delays = low + (high - low) * hash_uniform(ids, self.seed, _SALT_RETURN_DELAY)
        returns: dict[str, list] = {"order_item_id": [], "quantity": [], "reason": [], "requested_at": []}
        reasons = [r for r in world.RETURN_REASONS if r != "late_delivery"]
        for (item_id, quantity, category, delivered_at, was_late), draw, delay in zip(
            lines, draws, delays, strict=True
        ):
            probability = rate[category] * (world.RETURNS.late_delivery_uplift if was_late else 1.0)
            requested_at = delivered_at + timedelta(days=float(delay))
            if draw >= probability or not (self.t0 <= requested_at < self.t1):
                continue
            returns["order_item_id"].append(item_id)
            returns["quantity"].append(int(self.rng.integers(1, quantity + 1)))
            reason = (
                "late_delivery" if was_late and self.rng.random() < 0.5 else reasons[self.rng.integers(len(reasons))]
            )
            returns["reason"].append(reason)
            returns["requested_at"].append(requested_at)
        self.report.add("returns requested", _write(self.conn, "insert_returns.sql", returns))

    def settle_returns(self) -> None:
        """Returned parcels arrive 2 to 8 days after the request; refunds (or rejections) follow in 1 to 3 days."""
        open_returns = _rows(self.conn, "select_open_returns.sql")
        if not open_returns:
            return
        ids = np.array([r[0] for r in open_returns], dtype=np.int64)
        receive_days = 2 + 6 * hash_uniform(ids, self.seed, _SALT_RECEIVE)
        settle = hash_uniform(ids, self.seed, _SALT_SETTLE)
        received: dict[str, list] = {"return_id": [], "received_at": []}
        settled: dict[str, list] = {"return_id": [], "status": [], "settled_at": []}
        for (return_id, status, requested_at, received_at), days, draw in zip(
            open_returns, receive_days, settle, strict=True
        ):
            if status == "requested":
                arrives = requested_at + timedelta(days=float(days))
                if arrives >= self.t1:
                    continue
                received["return_id"].append(return_id)
                received["received_at"].append(max(arrives, self.t0))
                received_at = max(arrives, self.t0)
            settles = received_at + timedelta(days=1 + 2 * float(draw))
            if settles < self.t1:
                settled["return_id"].append(return_id)
                settled["status"].append("rejected" if draw < 0.05 else "refunded")
                settled["settled_at"].append(settles)
        self.report.add("returns received", _write(self.conn, "receive_returns.sql", received))
        self.report.add("refunds", _write(self.conn, "settle_returns.sql", settled))

    def place_orders(self, count: int | None = None) -> None:
        """New orders at the shop's recent pace, with weekly seasonality; some from new customers."""
        if count is None:
            (rate,) = _rows(self.conn, "select_recent_order_rate.sql", {"since": self.t0})[0]
            hours = (self.t1 - self.t0).total_seconds() / 3600
            weekday_factor = world.DEMAND.weekly_profile[self.t0.weekday()] / np.mean(world.DEMAND.weekly_profile)
            count = int(self.rng.poisson(max(rate, 1.0) * weekday_factor * hours / 24))
        if count == 0:
            return
        products = _rows(self.conn, "select_active_products.sql")
        if not products:
            raise GlobalCartError("the shop has no active products; generate a source history first")
        ordered_at = self._time_in_step(count)
        customer_ids = self._customers_for(count, ordered_at)
        promotion = _rows(self.conn, "select_active_promotion.sql", {"at": self.t0})
        order_ids = self._reserve_ids("orders", "order_id", count)
        channel_names = [c.name for c in world.CHANNELS]
        channel_shares = np.array([c.share for c in world.CHANNELS])
        uses_promotion = self.rng.random(count) < 0.35 if promotion else np.zeros(count, dtype=bool)
        orders = {
            "order_id": order_ids,
            "customer_id": customer_ids,
            "channel": [channel_names[i] for i in self.rng.choice(len(channel_names), count, p=channel_shares)],
            "promotion_id": [promotion[0][0] if use else None for use in uses_promotion],
            "ordered_at": ordered_at,
        }
        items = self._items_for(order_ids, uses_promotion, promotion[0][1] if promotion else Decimal(0), products)
        self.report.add("orders placed", _write(self.conn, "insert_orders.sql", orders))
        self.report.add("order lines", _write(self.conn, "insert_order_items.sql", items))

    def _customers_for(self, count: int, ordered_at: list[datetime]) -> list[int]:
        """Three orders in four come from existing customers, the rest from customers signing up now."""
        (max_id,) = _rows(self.conn, "select_max_customer_id.sql")[0]
        returning = self.rng.random(count) < 0.75 if max_id else np.zeros(count, dtype=bool)
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
        region_shares = np.array([r.share for r in world.REGIONS])
        customers: dict[str, list] = {
            k: []
            for k in (
                "customer_id",
                "email",
                "full_name",
                "region",
                "country_code",
                "acquisition_channel",
                "signed_up_at",
            )
        }
        chosen = []
        for flag, candidate, at in zip(returning, candidates, ordered_at, strict=True):
            if flag and int(candidate) in known:
                chosen.append(int(candidate))
                continue
            customer_id = next(new_ids)
            region = world.REGIONS[self.rng.choice(len(world.REGIONS), p=region_shares)]
            customers["customer_id"].append(customer_id)
            customers["email"].append(f"customer{customer_id}@example.com")
            customers["full_name"].append(f"Customer {customer_id}")
            customers["region"].append(region.name)
            customers["country_code"].append(region.countries[self.rng.integers(len(region.countries))])
            customers["acquisition_channel"].append(world.CHANNELS[self.rng.integers(len(world.CHANNELS))].name)
            customers["signed_up_at"].append(at - timedelta(minutes=float(self.rng.uniform(1, 30))))
            chosen.append(customer_id)
        self.report.add("customers signed up", _write(self.conn, "insert_customers.sql", customers))
        return chosen

    def _items_for(
        self, order_ids: list[int], uses_promotion: np.ndarray, discount_rate: Decimal, products: list[tuple]
    ) -> dict[str, list]:
        by_category: dict[str, list[tuple]] = {}
        for product in products:
            by_category.setdefault(product[1], []).append(product)
        categories = [c for c in world.CATEGORIES if c.name in by_category]
        shares = np.array([c.share for c in categories])
        items: dict[str, list] = {
            k: [] for k in ("order_id", "line_number", "product_id", "quantity", "unit_price", "discount_amount")
        }
        line_counts = 1 + self.rng.binomial(4, 0.3, len(order_ids))
        for order_id, lines, promoted in zip(order_ids, line_counts, uses_promotion, strict=True):
            for line_number in range(1, int(lines) + 1):
                category = categories[self.rng.choice(len(categories), p=shares / shares.sum())]
                pool = by_category[category.name]
                product_id, _, list_price, _ = pool[self.rng.integers(len(pool))]
                quantity = int(self.rng.choice([1, 2, 3], p=[0.72, 0.21, 0.07]))
                discount = (list_price * quantity * discount_rate).quantize(Decimal("0.01")) if promoted else Decimal(0)
                items["order_id"].append(order_id)
                items["line_number"].append(line_number)
                items["product_id"].append(product_id)
                items["quantity"].append(quantity)
                items["unit_price"].append(list_price)
                items["discount_amount"].append(discount)
        return items

    def reprice_products(self) -> None:
        """Each product gets a new price list now and then; costs creep up."""
        products = _rows(self.conn, "select_active_products.sql")
        days = (self.t1 - self.t0).total_seconds() / 86400
        changes: dict[str, list] = {"product_id": [], "valid_from": [], "list_price": [], "unit_cost": []}
        chosen = [p for p in products if self.rng.random() < days / world.CATALOGUE.reprice_every_days]
        for product_id, _, list_price, unit_cost in chosen:
            changes["product_id"].append(product_id)
            changes["valid_from"].append(self._time_in_step(1)[0])
            changes["list_price"].append(_money(float(list_price) * self.rng.uniform(0.92, 1.10)))
            drift = 1 + world.CATALOGUE.cost_drift_per_year * world.CATALOGUE.reprice_every_days / 365
            changes["unit_cost"].append(_money(float(unit_cost) * drift * self.rng.uniform(0.98, 1.03)))
        _write(self.conn, "reprice_products.sql", changes)
        self.report.add("price changes", len(chosen))

    def update_customers(self) -> None:
        """A few customers move, change segment, or close their account."""
        (max_id,) = _rows(self.conn, "select_max_customer_id.sql")[0]
        days = (self.t1 - self.t0).total_seconds() / 86400
        count = int(self.rng.poisson(max_id * 0.001 * days)) if max_id else 0
        if count == 0:
            return
        ids = [int(i) for i in self.rng.integers(1, max_id + 1, count)]
        rows = _rows(self.conn, "select_customers_for_update.sql", {"customer_ids": ids})
        update: dict[str, list] = {k: [] for k in ("customer_id", "region", "country_code", "segment", "status")}
        segments = [s.name for s in world.SEGMENTS]
        for customer_id, region, country, segment in rows:
            draw = self.rng.random()
            status = "active"
            if draw < 0.4:
                new_region = world.REGIONS[self.rng.integers(len(world.REGIONS))]
                region, country = new_region.name, new_region.countries[0]
            elif draw < 0.9:
                segment = segments[self.rng.integers(len(segments))]
            else:
                status = "closed"
            for key, value in zip(update, (customer_id, region, country, segment, status), strict=True):
                update[key].append(value)
        self.report.add("customers updated", _write(self.conn, "update_customers.sql", update))

    def run_promotions(self) -> None:
        """Promotions end on time; a new one starts every couple of weeks, deeper than the early ones."""
        self.report.add("promotions ended", _write(self.conn, "end_promotions.sql", {"at": self.t1}))
        days = (self.t1 - self.t0).total_seconds() / 86400
        if _rows(self.conn, "select_active_promotion.sql", {"at": self.t0}) or self.rng.random() >= days / 14:
            return
        starts_at = self._time_in_step(1)[0]
        rate = min(0.85, max(0.01, world.PROMOTIONS.depth_end + self.rng.normal(0, 0.02)))
        _write(
            self.conn,
            "insert_promotion.sql",
            {
                "promotion_code": f"SIM-{starts_at:%Y%m%d%H%M}-{self.rng.integers(10_000):04d}",
                "discount_rate": _money(rate * 100) / 100,
                "starts_at": starts_at,
                "ends_at": starts_at + timedelta(days=int(self.rng.integers(5, 15))),
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
        self.settle_payments()
        self.ship_orders()
        self.deliver_orders()
        self.settle_returns()
        self.request_returns()
        self.place_orders()
        self.reprice_products()
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
    with db.connect(SHOP) as conn:
        clock = _read_clock(conn, "source/sim/read_clock.sql")
        step = Step(conn, clock[0], 1.0, clock[2], clock[1] + 1, stream=1)
        step.place_orders(count=order_count)
        yield step.report.counts.get("order lines", 0)
        conn.commit()


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
        conn.commit()
        if "long_transaction" in hard_cases:
            release.set()
            holder.join()
            report.add("order lines in a long transaction", written[0] if written else 0)
    return report
