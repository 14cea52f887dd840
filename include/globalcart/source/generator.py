"""Fill the shop database with a seeded, realistic history, and say what was planted.

The history is simulated with numpy arrays, one element per customer, order,
line, payment attempt, shipment or return, never with a Python loop over rows.
Rows reach PostgreSQL through ``COPY ... (FORMAT binary)``: each table's bytes are
assembled column by column from the arrays, and two more threads stream them to
two server backends while the next table is being built (see LANES). Each backend
creates, loads and indexes its tables in one transaction, so they skip the WAL
(``wal_level=minimal``), in a ``shop_loading`` schema that one last transaction
renames to ``shop``; a failure drops it again and leaves the database as it was.

Times are whole seconds since the Unix epoch (int64) and money is in cents
(int64) until the bytes are written; discounts and refunds are rounded half up
in integer arithmetic, exactly as ``round(numeric, 2)`` would.
"""

from __future__ import annotations

import datetime as dt
import json
import queue
import re
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import psycopg
from psycopg import sql
from psycopg.pq import TransactionStatus

from globalcart.db import run_sql_file, split_statements, sql_text, without_comments
from globalcart.errors import GlobalCartError
from globalcart.source import world

MAX_ORDER_LINES = 50_000_000
MAX_DAYS = 3650
EARLIEST_START = dt.date(1990, 1, 1)
LATEST_END = dt.date(2200, 1, 1)

DAY = 86_400
HOUR = 3_600
MINUTE = 60

FIRST_NAMES = (
    "Ava", "Liam", "Emma", "Noah", "Olivia", "Lucas", "Mia", "Mateo", "Sofia", "Leon", "Hannah", "Ethan",
    "Chloe", "Hugo", "Lea", "Arjun", "Yuki", "Kenji", "Mei", "Chen", "Aisha", "Omar", "Lina", "Jonas",
    "Elena", "Marco", "Giulia", "Pablo", "Lucia", "Diego", "Camila", "Valentina", "Gabriel", "Ana",
    "Jack", "Grace", "Oscar", "Freya", "Finn", "Ella", "Sven", "Ingrid", "Pedro", "Beatriz", "Ravi",
    "Priya", "Tom", "Nora",
)  # fmt: skip
LAST_NAMES = (
    "Smith", "Johnson", "Brown", "Garcia", "Miller", "Davis", "Martinez", "Lopez", "Wilson", "Taylor",
    "Thomas", "Moore", "Martin", "Lee", "Walker", "Young", "King", "Wright", "Scott", "Green", "Baker",
    "Adams", "Nelson", "Hill", "Campbell", "Mueller", "Schmidt", "Schneider", "Fischer", "Weber",
    "Dubois", "Laurent", "Bernard", "Rossi", "Russo", "Silva", "Santos", "Oliveira", "Tanaka", "Sato",
    "Suzuki", "Wang", "Li", "Zhang", "Kumar", "Singh", "Jansen", "Visser",
)  # fmt: skip
EMAIL_DOMAINS = ("example.com", "example.net", "example.org", "mail.example")
PRODUCT_ADJECTIVES = (
    "Classic",
    "Essential",
    "Pro",
    "Lite",
    "Premium",
    "Everyday",
    "Urban",
    "Eco",
    "Max",
    "Studio",
)
PRODUCT_NOUNS = {
    "apparel": ("T-Shirt", "Hoodie", "Jacket", "Jeans", "Dress", "Sweater"),
    "footwear": ("Runner", "Sneaker", "Boot", "Sandal", "Loafer"),
    "electronics": ("Headphones", "Speaker", "Charger", "Smartwatch", "Tablet", "Camera"),
    "home": ("Lamp", "Throw", "Cookware Set", "Vase", "Chair", "Rug"),
    "beauty": ("Serum", "Cleanser", "Lip Balm", "Face Cream", "Shampoo"),
    "sports": ("Yoga Mat", "Dumbbell", "Tent", "Bike Helmet", "Racket"),
    "books": ("Novel", "Cookbook", "Atlas", "Biography", "Guide"),
    "toys": ("Puzzle", "Building Set", "Plush", "Board Game", "Kite"),
}
# Tables in the order they are loaded; a table's keys are built once it and the tables it references are in.
LOAD_ORDER = (
    "carriers", "fulfillment_centers", "products", "product_prices", "promotions",
    "customers", "orders", "order_items", "payments", "shipments", "returns",
)  # fmt: skip
# The load runs on two server backends at once, each loading its share of the tables in one
# transaction of its own (so each table is created, COPYed with FREEZE and given its keys in
# the same transaction, without WAL): the order lines and their returns on one, the rest on
# the other, which keeps the two about equally busy. The foreign keys between the two shares
# are added in the last transaction, the one that swaps the new history in.
LANES = (
    ("order_items", "returns"),
    ("carriers", "fulfillment_centers", "products", "product_prices", "promotions",
     "customers", "orders", "payments", "shipments"),
)  # fmt: skip
LOADING_SQL = "source/loading/"
SHOP_DDL = (
    "source/create_source_tables.sql",
    "source/create_source_keys.sql",
    "source/create_source_foreign_keys.sql",
)
ORDER_STATUSES = ("placed", "paid", "shipped", "delivered", "cancelled")
PAYMENT_STATUSES = ("authorized", "captured", "declined", "refunded")
SHIPMENT_STATUSES = ("label_created", "shipped", "delivered")
RETURN_STATUSES = ("requested", "received", "refunded", "rejected")
CUSTOMER_STATUSES = ("active", "closed")
PROMOTION_STATUSES = ("active", "ended", "cancelled")


@dataclass(frozen=True, kw_only=True)
class GenerationParams:
    """What to generate: about ``order_lines`` lines over ``days`` days ending before ``end_date``."""

    order_lines: int = 200_000
    days: int = 730
    end_date: dt.date
    seed: int = 42

    def as_dict(self) -> dict[str, Any]:
        return {
            "order_lines": self.order_lines,
            "days": self.days,
            "end_date": self.end_date.isoformat(),
            "start_date": (self.end_date - dt.timedelta(days=self.days)).isoformat(),
            "seed": self.seed,
        }


def validate(params: GenerationParams) -> None:
    """Raise GlobalCartError with a one-line message if the parameters cannot make a history."""

    def whole(value: object) -> bool:
        return isinstance(value, int | np.integer) and not isinstance(value, bool)

    if not whole(params.order_lines) or params.order_lines <= 0:
        raise GlobalCartError(f"order_lines must be a positive whole number, got {params.order_lines!r}")
    if params.order_lines > MAX_ORDER_LINES:
        raise GlobalCartError(f"order_lines must be at most {MAX_ORDER_LINES:,}, got {params.order_lines:,}")
    if not whole(params.days) or not 1 <= params.days <= MAX_DAYS:
        raise GlobalCartError(f"days must be a whole number from 1 to {MAX_DAYS}, got {params.days!r}")
    if not whole(params.seed) or params.seed < 0:
        raise GlobalCartError(f"seed must be a non-negative whole number, got {params.seed!r}")
    end = params.end_date
    if not isinstance(end, dt.date) or isinstance(end, dt.datetime):
        raise GlobalCartError(f"end_date must be a date (not a datetime), got {end!r}")
    if end > LATEST_END or end - dt.timedelta(days=params.days) < EARLIEST_START:
        raise GlobalCartError(
            f"the history must lie between {EARLIEST_START} and {LATEST_END}, got {params.days} days up to {end}"
        )


def generate(
    conn: psycopg.Connection,
    params: GenerationParams,
    progress: Callable[[str], None] = lambda _: None,
    *,
    replace: bool = False,
    before_commit: Callable[[psycopg.Connection, dict], None] | None = None,
) -> dict:
    """Load a new history and make it the shop schema. Returns the manifest (JSON-serialisable dict).

    The history is built in a ``shop_loading`` schema by ``conn`` and a second connection
    to the same database, working in parallel. One last transaction on ``conn`` then adds
    the foreign keys between their tables, drops the old ``shop`` and ``sim`` schemas if
    ``replace`` (else refuses if there is a shop), renames ``shop_loading`` to ``shop``,
    runs ``before_commit(conn, manifest)`` and commits: from the outside the new history
    appears at once. On any error everything the load made is dropped again, so the
    database is left as it was. ``conn`` must not be inside a transaction, and is left idle.
    """
    validate(params)
    if conn.info.transaction_status != TransactionStatus.IDLE:
        raise GlobalCartError("generate needs a connection that is not inside a transaction")
    locked = _fetch_value(conn, "lock_loading.sql")
    conn.rollback()
    if not locked:
        raise GlobalCartError("another history is being loaded into this database; try again once it is done")
    try:
        if not replace:
            _refuse_existing_shop(conn)
            conn.rollback()
        try:
            return _load(conn, params, progress, replace, before_commit)
        except BaseException:
            _drop_loading_schema(conn)
            raise
    finally:
        _unlock(conn)


def _load(
    conn: psycopg.Connection,
    params: GenerationParams,
    progress: Callable[[str], None],
    replace: bool,
    before_commit: Callable[[psycopg.Connection, dict], None] | None,
) -> dict:
    plan = _LoadPlan(LANES)
    run_sql_file(conn, LOADING_SQL + "create_loading_schema.sql")
    run_sql_file(conn, LOADING_SQL + "use_loading_schema.sql")
    for statement in plan.setup:  # the trigger function, which both lanes' tables use
        conn.execute(statement.encode(), prepare=False)
    conn.commit()
    with _connect_again(conn) as other:
        sender = _Sender((conn, other), plan, progress)
        try:
            manifest = _generate_history(params, sender, progress)
            sender.finish()
        except BaseException:
            sender.abort()
            raise
    started = time.perf_counter()
    try:
        run_sql_file(conn, LOADING_SQL + "use_loading_schema.sql")
        for statement in plan.final:
            conn.execute(statement.encode(), prepare=False)
        progress(f"foreign keys across lanes: {len(plan.final)} statements in {time.perf_counter() - started:.2f} s")
        if replace:
            run_sql_file(conn, "source/sim/drop_source_schemas.sql")
        else:
            _refuse_existing_shop(conn)
        run_sql_file(conn, LOADING_SQL + "rename_loading_schema.sql")
        if before_commit is not None:
            before_commit(conn, manifest)
        conn.commit()
    except BaseException:
        conn.rollback()
        raise
    progress(f"swapped the new history in as shop in {time.perf_counter() - started:.2f} s")
    return manifest


def _fetch_value(conn: psycopg.Connection, name: str) -> object:
    row = conn.execute(sql_text(LOADING_SQL + name)).fetchone()
    return row[0] if row else None


def _refuse_existing_shop(conn: psycopg.Connection) -> None:
    if _fetch_value(conn, "has_shop_schema.sql"):
        raise GlobalCartError(
            "the source database already has a shop schema; drop it first (generate --replace) to replace it"
        )


def _connect_again(conn: psycopg.Connection) -> psycopg.Connection:
    """A second connection to the same database as ``conn``, as the same user."""
    password = conn.info.password
    return psycopg.connect(conn.info.dsn, **({"password": password} if password else {}))


def _drop_loading_schema(conn: psycopg.Connection) -> None:
    """Drop what a failed load made. If the connection itself is lost, the next load drops it."""
    _run_best_effort(conn, "drop_loading_schema.sql")


def _unlock(conn: psycopg.Connection) -> None:
    _run_best_effort(conn, "unlock_loading.sql")  # a lost connection has released its lock already


def _run_best_effort(conn: psycopg.Connection, name: str) -> None:
    for _ in range(2):  # twice: a cancel sent to stop a lane may land on the first attempt
        try:
            conn.rollback()
            run_sql_file(conn, LOADING_SQL + name)
            conn.commit()
            return
        except psycopg.Error:
            if conn.closed:
                return


# --------------------------------------------------------------------------- the history


def _generate_history(params: GenerationParams, sender: _Sender, progress: Callable[[str], None]) -> dict:
    started = time.perf_counter()
    rng = np.random.default_rng(params.seed)
    cal = _calendar(params)
    _send_network(sender)
    catalogue = _products(rng, cal, params, sender)
    promotions = _promotions(rng, cal, sender)
    buyers = _buyers(rng, cal, params.order_lines)
    customers = _customers(rng, cal, buyers, sender)
    orders = _orders(rng, cal, buyers, customers, promotions)
    lines = _lines(rng, orders, catalogue, promotions)
    progress(
        f"simulated {len(customers.region):,} customers, {len(orders.ordered_at):,} orders"
        f" and {len(lines.order):,} lines in {time.perf_counter() - started:.2f} s"
    )
    life = _lifecycle(rng, cal, orders, customers, lines, sender)
    returns = _returns(rng, cal, lines, life, sender)
    progress(f"generated every table in {time.perf_counter() - started:.2f} s")
    manifest = {
        "params": params.as_dict(),
        "ground_truth": world.ground_truth(),
        "row_counts": dict(sender.row_counts),
        "realised": _realised(cal, orders, lines, life, returns),
    }
    return json.loads(json.dumps(manifest))  # plain JSON types (lists, not tuples), as a reader will see it


@dataclass(frozen=True)
class _Calendar:
    start: int  # Unix seconds of the first day's midnight (UTC)
    end: int  # Unix seconds of end_date's midnight: nothing happens at or after it
    days: int
    season: np.ndarray  # demand multiplier per day (weekly x yearly), mean 1
    clock: np.ndarray  # cumulative season at day boundaries: the time in which repeat gaps are drawn
    acquisition_cdf: np.ndarray  # where new customers' first orders fall, by day
    growth_progress: np.ndarray  # 0 -> 1 along the growth curve, per day: drives discount depth

    def day_of(self, seconds: np.ndarray) -> np.ndarray:
        return np.clip((seconds - self.start) // DAY, 0, self.days - 1)


def _calendar(params: GenerationParams) -> _Calendar:
    end = int(dt.datetime.combine(params.end_date, dt.time(), dt.UTC).timestamp())
    start = end - params.days * DAY
    epoch_days = np.arange(start // DAY, end // DAY, dtype=np.int64)
    dates = epoch_days.astype("datetime64[D]")
    weekday = (epoch_days + 3) % 7  # 1970-01-01 was a Thursday; Monday is 0
    day_of_year = (dates - dates.astype("datetime64[Y]")).astype(np.int64) + 1
    yearly = 1 + world.DEMAND.yearly_amplitude * np.cos(
        2 * np.pi * (day_of_year - world.DEMAND.yearly_peak_day) / 365.25
    )
    season = np.asarray(world.DEMAND.weekly_profile)[weekday] * yearly
    season = season / season.mean()
    x = (np.arange(params.days) + 0.5) / params.days
    logistic = 1 / (1 + np.exp(-world.DEMAND.growth_steepness * (x - world.DEMAND.growth_midpoint)))
    # New customers arrive along a logistic curve: fast growth that flattens out.
    acquisition = np.cumsum((world.DEMAND.growth_floor + (1 - world.DEMAND.growth_floor) * logistic) * season)
    span = logistic[-1] - logistic[0]
    return _Calendar(
        start=start,
        end=end,
        days=params.days,
        season=season,
        clock=np.concatenate([[0.0], np.cumsum(season)]),
        acquisition_cdf=acquisition / acquisition[-1],
        growth_progress=(logistic - logistic[0]) / span if span > 0 else np.zeros(params.days),
    )


def _choice(rng: np.random.Generator, weights: Sequence[float] | np.ndarray, size: int) -> np.ndarray:
    """Indices drawn with the given (unnormalised) weights."""
    cdf = np.cumsum(np.asarray(weights, dtype=np.float64))
    return np.minimum(np.searchsorted(cdf / cdf[-1], rng.random(size), side="right"), len(cdf) - 1)


def _seconds(rng: np.random.Generator, low_days: float, high_days: float, size: int) -> np.ndarray:
    """Durations drawn uniformly between two numbers of days, in whole seconds."""
    return (rng.uniform(low_days, high_days, size) * DAY).astype(np.int64)


def _time_of_day(rng: np.random.Generator, size: int) -> np.ndarray:
    return _choice(rng, world.DEMAND.hourly_profile, size) * HOUR + rng.integers(0, HOUR, size)


def _group_starts(counts: np.ndarray) -> np.ndarray:
    return np.cumsum(counts) - counts


def _rank_in_group(counts: np.ndarray) -> np.ndarray:
    """0, 1, .. within each group, for groups of the given sizes laid out one after another."""
    return np.arange(int(counts.sum())) - np.repeat(_group_starts(counts), counts)


def _cumsum_in_groups(values: np.ndarray, counts: np.ndarray) -> np.ndarray:
    total = np.cumsum(values)
    before = np.concatenate([[0.0], total])[_group_starts(counts)]
    return total - np.repeat(before, counts)


def _round_div(numerator: np.ndarray, denominator: np.ndarray | int) -> np.ndarray:
    """Integer division of non-negative numbers, rounded half up (as round(numeric) does)."""
    return (2 * numerator + denominator) // (2 * np.asarray(denominator))


def _pick_within(rng: np.random.Generator, table: np.ndarray, counts: np.ndarray, group: np.ndarray) -> np.ndarray:
    """For each element, a uniform pick among the first counts[group] entries of table[group]."""
    return table[group, (rng.random(len(group)) * counts[group]).astype(np.int64)]


# --------------------------------------------------------------------------- reference data


def _send_network(sender: _Sender) -> None:
    carriers = _Rows("carriers", len(world.CARRIERS))
    carriers.text_values("carrier_code", [c.code for c in world.CARRIERS])
    carriers.text_values("carrier_name", [c.name for c in world.CARRIERS])
    # Reference rows exist before the history; a fixed instant keeps them deterministic.
    carriers.ts("created_at", np.full(len(world.CARRIERS), _REFERENCE_TIME))
    carriers.ts("updated_at", np.full(len(world.CARRIERS), _REFERENCE_TIME))
    sender.copy(carriers)
    centers = _Rows("fulfillment_centers", len(world.FULFILLMENT_CENTERS))
    centers.text_values("fulfillment_center_code", [f.code for f in world.FULFILLMENT_CENTERS])
    centers.text_values("city", [f.city for f in world.FULFILLMENT_CENTERS])
    centers.text_values("region", [f.region for f in world.FULFILLMENT_CENTERS])
    centers.ts("created_at", np.full(len(world.FULFILLMENT_CENTERS), _REFERENCE_TIME))
    centers.ts("updated_at", np.full(len(world.FULFILLMENT_CENTERS), _REFERENCE_TIME))
    sender.copy(centers)


_REFERENCE_TIME = int(dt.datetime(1989, 1, 1, tzinfo=dt.UTC).timestamp())  # before any allowed history


@dataclass
class _Catalogue:
    category: np.ndarray  # per product (index = product_id - 1)
    launch_sorted: list[np.ndarray]  # per category, its products' launch times in order
    by_category_product: np.ndarray  # products sorted by (category, launch)
    category_first: np.ndarray  # where each category starts in the sorted arrays
    price_key: np.ndarray  # price rows sorted by (product, valid_from), as product << 34 | valid_from offset
    price_cents: np.ndarray
    base: int  # origin of the time offsets in the keys


def _products(rng: np.random.Generator, cal: _Calendar, params: GenerationParams, sender: _Sender) -> _Catalogue:
    categories = world.CATEGORIES
    names = [c.name for c in categories]
    total = int(np.clip(4 * np.sqrt(params.order_lines), 80, 20_000))
    shares = np.array([c.share for c in categories])
    per_category = np.maximum(5, np.round(total * shares / shares.sum()).astype(np.int64))
    category = np.repeat(np.arange(len(categories)), per_category)
    n = len(category)
    later = rng.random(n) < world.CATALOGUE.launched_during_history_share
    later[_group_starts(per_category)] = False  # every category has something to sell from day one
    launched = np.where(
        later,
        cal.start + _seconds(rng, 0, 0.9 * cal.days, n),
        cal.start - _seconds(rng, 1, world.CATALOGUE.lead_days, n),
    )
    by_launch = np.lexsort((np.arange(n), launched))  # product ids follow launch order
    category, launched = category[by_launch], launched[by_launch]
    low = np.array([c.price_low for c in categories])[category]
    high = np.array([c.price_high for c in categories])[category]
    first_price = np.exp(rng.uniform(np.log(low), np.log(high)))
    cost_ratio = np.array([c.cost_ratio for c in categories])[category] * rng.uniform(
        *world.CATALOGUE.cost_ratio_spread, n
    )

    # Price-list changes: a Poisson number per product, at whole minutes after its launch.
    life_seconds = cal.end - 1 - launched
    changes = rng.poisson(life_seconds / DAY / world.CATALOGUE.reprice_every_days)
    product = np.repeat(np.arange(n), 1 + changes)
    first = _rank_in_group(1 + changes) == 0
    minutes = (rng.random(len(product)) * (life_seconds[product] // MINUTE)).astype(np.int64)
    valid_from = launched[product] + np.where(first, 0, minutes * MINUTE)
    by_time = np.lexsort((valid_from, product))
    product, valid_from = product[by_time], valid_from[by_time]
    distinct = np.ones(len(product), dtype=bool)
    distinct[1:] = (product[1:] != product[:-1]) | (valid_from[1:] != valid_from[:-1])
    product, valid_from = product[distinct], valid_from[distinct]
    rows = np.bincount(product, minlength=n)
    first_row = _group_starts(rows)
    last_row = first_row + rows - 1
    step = rng.normal(world.CATALOGUE.price_step_mean, world.CATALOGUE.price_step_sigma, len(product))
    step[first_row] = 0.0
    price = first_price[product] * np.exp(_cumsum_in_groups(step, rows))
    price_cents = np.maximum(np.ceil(price) * 100 - 1, 99).astype(np.int64)  # x.99 price points
    years = (valid_from - launched[product]) / (365.25 * DAY)
    cost = first_price[product] * cost_ratio[product] * (1 + world.CATALOGUE.cost_drift_per_year) ** years
    cost_cents = np.round(cost * rng.uniform(*world.CATALOGUE.cost_noise, len(product)) * 100).astype(np.int64)

    brand_pick = rng.integers(0, 1 << 30, n).tolist()
    noun_pick = rng.integers(0, 1 << 30, n).tolist()
    adjective = rng.integers(0, len(PRODUCT_ADJECTIVES), n).tolist()
    model = rng.integers(100, 1000, n).tolist()
    brands, product_names, skus = [], [], []
    for i, c in enumerate(category.tolist()):  # a few thousand products at most
        brand = categories[c].brands[brand_pick[i] % len(categories[c].brands)]
        nouns = PRODUCT_NOUNS.get(names[c], ("Item",))
        noun = nouns[noun_pick[i] % len(nouns)]
        brands.append(brand)
        product_names.append(f"{brand} {PRODUCT_ADJECTIVES[adjective[i]]} {noun} {model[i]}")
        skus.append(f"{names[c][:3].upper()}-{i + 1:06d}")
    t = _Rows("products", n)
    t.int8("product_id", np.arange(1, n + 1))
    t.text_values("sku", skus)
    t.text_values("product_name", product_names)
    t.text("category", category, names)
    t.text_values("brand", brands)
    t.numeric("list_price", price_cents[last_row])
    t.numeric("unit_cost", cost_cents[last_row])
    t.boolean("is_active", np.ones(n, dtype=bool))
    t.ts("created_at", launched)
    t.ts("updated_at", valid_from[last_row])  # the latest price change rewrote the product row
    sender.copy(t)

    t = _Rows("product_prices", len(product))
    t.int8("product_id", product + 1)
    t.ts("valid_from", valid_from)
    t.numeric("list_price", price_cents)
    t.numeric("unit_cost", cost_cents)
    t.ts("created_at", valid_from)
    t.ts("updated_at", valid_from)
    sender.copy(t)

    base = min(int(launched.min()), cal.start)
    by_category = np.lexsort((launched, category))
    return _Catalogue(
        category=category,
        launch_sorted=[launched[by_category][category[by_category] == c] for c in range(len(categories))],
        by_category_product=by_category,
        category_first=_group_starts(np.bincount(category, minlength=len(categories))),
        price_key=(product << 34) | (valid_from - base),
        price_cents=price_cents,
        base=base,
    )


@dataclass
class _Promotions:
    boundaries: np.ndarray  # instants where the set of running promotions changes
    best: np.ndarray  # the deepest running promotion from each boundary to the next (-1: none)
    rate_e4: np.ndarray  # discount rate in units of 1/10000


def _promotions(rng: np.random.Generator, cal: _Calendar, sender: _Sender) -> _Promotions:
    gaps = _seconds(rng, *world.PROMOTIONS.gap_days, cal.days // 5 + 2)
    starts = cal.start + _seconds(rng, 0, 7, 1)[0] + np.cumsum(gaps) - gaps[0]
    starts = starts[starts < cal.end - HOUR]
    lengths = _seconds(rng, *world.PROMOTIONS.length_days, len(starts))
    # Every year a deeper campaign runs up to the yearly peak of demand.
    first_year = dt.datetime.fromtimestamp(cal.start, dt.UTC).year
    last_year = dt.datetime.fromtimestamp(cal.end, dt.UTC).year
    new_year = [int(dt.datetime(y, 1, 1, tzinfo=dt.UTC).timestamp()) for y in range(first_year, last_year + 1)]
    peak_starts = (
        np.array(new_year, dtype=np.int64)
        + (world.DEMAND.yearly_peak_day - world.PROMOTIONS.peak_lead_days) * DAY
        + 6 * HOUR
    )
    peak_starts = peak_starts[(peak_starts >= cal.start) & (peak_starts < cal.end - HOUR)]
    peak = np.concatenate([np.zeros(len(starts), dtype=bool), np.ones(len(peak_starts), dtype=bool)])
    starts = np.concatenate([starts, peak_starts])
    lengths = np.concatenate([lengths, np.full(len(peak_starts), world.PROMOTIONS.peak_length_days * DAY)])
    by_start = np.lexsort((peak, starts))
    starts, lengths, peak = starts[by_start], lengths[by_start], peak[by_start]
    n = len(starts)
    ends = starts + lengths
    progress = cal.growth_progress[cal.day_of(starts + lengths // 2)]
    depth = world.PROMOTIONS.depth_start + (world.PROMOTIONS.depth_end - world.PROMOTIONS.depth_start) * progress
    rate = depth * rng.uniform(*world.PROMOTIONS.depth_spread, n) * np.where(peak, world.PROMOTIONS.peak_depth, 1.0)
    low_e4, high_e4 = (round(bound * 10_000) for bound in world.PROMOTIONS.rate_bounds)
    rate_e4 = np.clip(np.round(rate * 10_000), low_e4, high_e4).astype(np.int64)
    created = starts - _seconds(rng, *world.PROMOTIONS.announced_days, n)
    cancelled_at = created + ((starts - created) * rng.uniform(*world.PROMOTIONS.cancelled_into_notice, n)).astype(
        np.int64
    )
    cancelled = (rng.random(n) < world.PROMOTIONS.cancelled_share) & ~peak & (cancelled_at < cal.end)
    ended = ~cancelled & (ends < cal.end)
    status = np.where(cancelled, 2, np.where(ended, 1, 0))
    updated = np.where(cancelled, cancelled_at, np.where(ended, ends, created))

    codes = [
        f"{'PEAK' if p else 'PROMO'}{dt.datetime.fromtimestamp(s, dt.UTC):%y%m}-{i + 1:03d}"
        for i, (s, p) in enumerate(zip(starts.tolist(), peak.tolist(), strict=True))
    ]
    t = _Rows("promotions", n)
    t.int8("promotion_id", np.arange(1, n + 1))
    t.text_values("promotion_code", codes)
    t.numeric("discount_rate", rate_e4, scale=4)
    t.ts("starts_at", starts)
    t.ts("ends_at", ends)  # a running promotion ends after the history: a plan, not an event
    t.text("status", status, PROMOTION_STATUSES)
    t.ts("created_at", created)
    t.ts("updated_at", updated)
    sender.copy(t)

    live = np.flatnonzero(~cancelled)
    boundaries = np.unique(np.concatenate([starts[live], ends[live], [cal.start]]))
    running = (starts[live] <= boundaries[:, None]) & (boundaries[:, None] < ends[live])
    depth_running = np.where(running, rate_e4[live], -1)
    best = np.full(len(boundaries), -1, dtype=np.int64)
    if len(live):
        deepest = live[np.argmax(depth_running, axis=1)]
        best = np.where(running.any(axis=1), deepest, -1)
    return _Promotions(boundaries=boundaries, best=best, rate_e4=rate_e4)


# --------------------------------------------------------------------------- customers and their orders


@dataclass
class _Buyers:
    size: int  # customers
    order_customer: np.ndarray  # per order, customer-major
    ordered_at: np.ndarray
    lines: np.ndarray

    def head(self, customers: int) -> _Buyers:
        orders = int(np.searchsorted(self.order_customer, customers))
        return _Buyers(customers, self.order_customer[:orders], self.ordered_at[:orders], self.lines[:orders])


def _draw_buyers(rng: np.random.Generator, cal: _Calendar, size: int) -> _Buyers:
    """New customers and every order each places before the end of the history."""
    day = np.minimum(np.searchsorted(cal.acquisition_cdf, rng.random(size), side="right"), cal.days - 1)
    first_time = _time_of_day(rng, size)
    planned = np.minimum(rng.geometric(world.CUSTOMERS.stop_probability_after_order, size), world.CUSTOMERS.max_orders)
    repeats = planned - 1
    gaps = rng.lognormal(
        np.log(world.CUSTOMERS.repeat_gap_median_days), world.CUSTOMERS.repeat_gap_sigma, int(repeats.sum())
    )
    owner = np.repeat(np.arange(size), repeats)
    # Gaps run on the seasonal clock, so repeat purchases follow the weekly and yearly pattern too.
    first_clock = cal.clock[day] + cal.season[day] * first_time / DAY
    repeat_day = np.searchsorted(cal.clock, first_clock[owner] + _cumsum_in_groups(gaps, repeats), side="right") - 1
    happened = repeat_day < cal.days  # later ones fall after the end of the history
    owner, repeat_day = owner[happened], repeat_day[happened]
    customer = np.concatenate([np.arange(size), owner])
    order_day = np.concatenate([day, repeat_day])
    order_time = np.concatenate([first_time, _time_of_day(rng, len(owner))])
    by_customer = np.argsort(customer, kind="stable")
    lines = _choice(rng, world.BASKETS.lines_per_order, len(customer)) + 1
    return _Buyers(
        size=size,
        order_customer=customer[by_customer],
        ordered_at=cal.start + order_day[by_customer] * DAY + order_time[by_customer],
        lines=lines,
    )


def _buyers(rng: np.random.Generator, cal: _Calendar, target_lines: int) -> _Buyers:
    """Just enough customers (drawn independently) for their orders to reach the target number of lines."""
    parts: list[_Buyers] = []
    remaining = target_lines
    lines_per_customer = 5.0
    while remaining > 0:
        size = int(remaining / lines_per_customer * 1.05) + 16
        batch = _draw_buyers(rng, cal, size)
        cumulative = np.cumsum(np.bincount(batch.order_customer, weights=batch.lines, minlength=size))
        cumulative = cumulative.astype(np.int64)
        lines_per_customer = max(float(cumulative[-1]) / size, 1.0)
        if cumulative[-1] >= remaining:
            batch = batch.head(int(np.searchsorted(cumulative, remaining)) + 1)
            remaining = 0
        else:
            remaining -= int(cumulative[-1])
        parts.append(batch)
    offsets = np.cumsum([0] + [p.size for p in parts])
    return _Buyers(
        size=int(offsets[-1]),
        order_customer=np.concatenate([p.order_customer + o for p, o in zip(parts, offsets, strict=False)]),
        ordered_at=np.concatenate([p.ordered_at for p in parts]),
        lines=np.concatenate([p.lines for p in parts]),
    )


@dataclass
class _Customers:
    customer_id: np.ndarray  # per drawn customer (buyers first, then those who never order)
    region: np.ndarray  # per customer_id - 1 from here on
    channel: np.ndarray
    method: np.ndarray


def _customers(rng: np.random.Generator, cal: _Calendar, buyers: _Buyers, sender: _Sender) -> _Customers:
    n_buyers = buyers.size
    starts = _group_starts(np.bincount(buyers.order_customer, minlength=n_buyers))
    first_order = np.minimum.reduceat(buyers.ordered_at, starts)
    last_order = np.maximum.reduceat(buyers.ordered_at, starts)
    checkout = world.CUSTOMERS.signup_at_checkout_minutes
    at_checkout = rng.random(n_buyers) < world.CUSTOMERS.signup_at_checkout_share
    lead = np.where(
        at_checkout,
        rng.integers(checkout[0] * MINUTE, checkout[1] * MINUTE, n_buyers),
        (rng.exponential(world.CUSTOMERS.signup_lead_mean_days, n_buyers) * DAY).astype(np.int64),
    )
    signed_up = np.maximum(first_order - lead, cal.start)
    n_browsers = round(n_buyers * world.CUSTOMERS.signup_only_share)
    browser_day = np.minimum(np.searchsorted(cal.acquisition_cdf, rng.random(n_browsers), side="right"), cal.days - 1)
    signed_up = np.concatenate([signed_up, cal.start + browser_day * DAY + _time_of_day(rng, n_browsers)])
    last_seen = np.concatenate([last_order, signed_up[n_buyers:]])
    n = len(signed_up)
    by_signup = np.lexsort((np.arange(n), signed_up))  # ids follow sign-up order
    customer_id = np.empty(n, dtype=np.int64)
    customer_id[by_signup] = np.arange(1, n + 1)
    signed_up, last_seen = signed_up[by_signup], last_seen[by_signup]

    region = _choice(rng, [r.share for r in world.REGIONS], n)
    countries = [c for r in world.REGIONS for c in r.countries]
    country_first = np.array(_group_starts(np.array([len(r.countries) for r in world.REGIONS])))
    country_count = np.array([len(r.countries) for r in world.REGIONS])
    country = country_first[region] + (rng.random(n) * country_count[region]).astype(np.int64)
    segment = _choice(rng, [s.share for s in world.SEGMENTS], n)
    channel = _choice(rng, [c.share for c in world.CHANNELS], n)
    method = _choice(rng, [m.share for m in world.PAYMENT_METHODS], n)
    first_name = rng.integers(0, len(FIRST_NAMES), n)
    last_name = rng.integers(0, len(LAST_NAMES), n)
    domain = rng.integers(0, len(EMAIL_DOMAINS), n)
    closed_at = last_seen + _seconds(rng, *world.CUSTOMERS.close_after_days, n)
    closed = (rng.random(n) < world.CUSTOMERS.close_probability) & (closed_at < cal.end)

    ids = np.arange(1, n + 1)
    t = _Rows("customers", n)
    t.int8("customer_id", ids)
    lower_first = [name.lower() for name in FIRST_NAMES]
    lower_last = [name.lower() for name in LAST_NAMES]
    t.text_pieces("email", [(first_name, lower_first), ".", (last_name, lower_last), ids, "@", (domain, EMAIL_DOMAINS)])
    t.text_pieces("full_name", [(first_name, FIRST_NAMES), " ", (last_name, LAST_NAMES)])
    t.text("region", region, [r.name for r in world.REGIONS])
    t.text("country_code", country, countries)
    t.text("segment", segment, [s.name for s in world.SEGMENTS])
    t.text("acquisition_channel", channel, [c.name for c in world.CHANNELS])
    t.text("status", closed.astype(np.int64), CUSTOMER_STATUSES)
    t.ts("signed_up_at", signed_up)
    t.ts("created_at", signed_up)
    t.ts("updated_at", np.where(closed, closed_at, signed_up))
    sender.copy(t)
    return _Customers(customer_id=customer_id, region=region, channel=channel, method=method)


@dataclass
class _Orders:
    customer: np.ndarray  # customer_id - 1, per order_id - 1
    ordered_at: np.ndarray
    lines: np.ndarray
    channel: np.ndarray
    method: np.ndarray
    promotion: np.ndarray  # promotion_id - 1, or -1


def _orders(
    rng: np.random.Generator, cal: _Calendar, buyers: _Buyers, customers: _Customers, promotions: _Promotions
) -> _Orders:
    customer = customers.customer_id[buyers.order_customer] - 1
    by_time = np.lexsort((customer, buyers.ordered_at))  # order ids follow time
    customer, ordered_at, lines = customer[by_time], buyers.ordered_at[by_time], buyers.lines[by_time]
    n = len(customer)
    channel = np.where(
        rng.random(n) < world.CUSTOMERS.preferred_channel_share,
        customers.channel[customer],
        _choice(rng, [c.share for c in world.CHANNELS], n),
    )
    method = np.where(
        rng.random(n) < world.CUSTOMERS.preferred_method_share,
        customers.method[customer],
        _choice(rng, [m.share for m in world.PAYMENT_METHODS], n),
    )
    best = promotions.best[np.searchsorted(promotions.boundaries, ordered_at, side="right") - 1]
    use_share = (
        world.PROMOTIONS.use_share_start
        + (world.PROMOTIONS.use_share_end - world.PROMOTIONS.use_share_start)
        * cal.growth_progress[cal.day_of(ordered_at)]
    )
    promotion = np.where((best >= 0) & (rng.random(n) < use_share), best, -1)
    return _Orders(customer, ordered_at, lines, channel, method, promotion)


@dataclass
class _Lines:
    order: np.ndarray  # order_id - 1, per order_item_id - 1
    category: np.ndarray
    quantity: np.ndarray
    price: np.ndarray  # cents
    discount: np.ndarray  # cents
    order_first: np.ndarray  # first line of each order
    order_net: np.ndarray  # cents, per order
    order_units: np.ndarray
    rows: _Rows  # sent after the orders, so the items' foreign key can be checked as soon as they land


def _lines(rng: np.random.Generator, orders: _Orders, catalogue: _Catalogue, promotions: _Promotions) -> _Lines:
    order = np.repeat(np.arange(len(orders.lines)), orders.lines)
    n = len(order)
    at = orders.ordered_at[order]
    category = _choice(rng, [c.share for c in world.CATEGORIES], n)
    # Among the category's products already launched, longer-listed ones sell more.
    available = np.empty(n, dtype=np.int64)
    for c in range(len(world.CATEGORIES)):  # per category: line times are sorted, so the search is fast
        mine = category == c
        available[mine] = np.searchsorted(catalogue.launch_sorted[c], at[mine], "right")
    pick = (available * rng.random(n) ** world.BASKETS.popularity_skew).astype(np.int64)
    product = catalogue.by_category_product[catalogue.category_first[category] + pick]
    price_row = np.searchsorted(catalogue.price_key, (product << 34) | (at - catalogue.base), "right") - 1
    price = catalogue.price_cents[price_row]
    quantity = _choice(rng, world.BASKETS.units_per_line, n) + 1
    promotion = orders.promotion[order]
    rate_e4 = np.append(promotions.rate_e4, 0)[promotion]  # -1 (no promotion) picks the appended 0
    discount = _round_div(rate_e4 * quantity * price, 10_000)
    order_first = _group_starts(orders.lines)
    net = quantity * price - discount

    t = _Rows("order_items", n)
    t.int8("order_item_id", np.arange(1, n + 1))
    t.int8("order_id", order + 1)
    t.int4("line_number", _rank_in_group(orders.lines) + 1)
    t.int8("product_id", product + 1)
    t.int4("quantity", quantity)
    t.numeric("unit_price", price)
    t.numeric("discount_amount", discount)
    t.ts("created_at", at)
    t.ts("updated_at", at)
    return _Lines(
        rows=t,
        order=order,
        category=catalogue.category[product],
        quantity=quantity,
        price=price,
        discount=discount,
        order_first=order_first,
        order_net=np.add.reduceat(net, order_first),
        order_units=np.add.reduceat(quantity, order_first),
    )


# --------------------------------------------------------------------------- payments, shipping, returns


@dataclass
class _Lifecycle:
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


def _lifecycle(
    rng: np.random.Generator,
    cal: _Calendar,
    orders: _Orders,
    customers: _Customers,
    lines: _Lines,
    sender: _Sender,
) -> _Lifecycle:
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
    paid_at = last_at + np.where(bank, _seconds(rng, *world.PAYMENTS.bank_transfer_settle_days, n), 0)
    paid = succeeded & completed & (paid_at < end)
    authorized = succeeded & completed & ~paid
    unpaid_cancel_at = last_at + _seconds(rng, *world.PAYMENTS.unpaid_cancel_days, n)
    unpaid_cancelled = ~succeeded & completed & (unpaid_cancel_at < end)

    # Shipping plan for every order; only paid, not cancelled ones get a shipment.
    centers = [f.code for f in world.FULFILLMENT_CENTERS]
    carriers = [c.code for c in world.CARRIERS]
    region = customers.region[orders.customer]
    serving = np.zeros((len(world.REGIONS), max(len(r.fulfillment_centers) for r in world.REGIONS)), np.int64)
    serving_count = np.array([len(r.fulfillment_centers) for r in world.REGIONS])
    for i, r in enumerate(world.REGIONS):  # a handful of regions
        serving[i, : len(r.fulfillment_centers)] = [centers.index(code) for code in r.fulfillment_centers]
    other = _pick_within(rng, serving[:, 1:], np.maximum(serving_count - 1, 1), region)
    main = (rng.random(n) < world.SHIPPING.main_center_share) | (serving_count[region] == 1)
    center = np.where(main, serving[region, 0], other)
    carrier = _choice(rng, [c.share for c in world.CARRIERS], n)
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

    t = _Rows("orders", n)
    t.int8("order_id", np.arange(1, n + 1))
    t.int8("customer_id", orders.customer + 1)
    t.text("channel", orders.channel, [c.name for c in world.CHANNELS])
    t.text("status", status, ORDER_STATUSES)
    t.int8("promotion_id", orders.promotion + 1, null=orders.promotion < 0)
    t.text("currency_code", np.zeros(n, dtype=np.int64), ("USD",))
    t.ts("ordered_at", orders.ordered_at)
    t.ts("paid_at", paid_at, null=~paid)
    t.ts("cancelled_at", cancelled_at, null=~cancelled)
    t.ts("created_at", orders.ordered_at)
    t.ts("updated_at", updated_at)
    sender.copy(t)
    sender.copy(lines.rows)

    # Payments: one row per attempt made, ids in order of attempted_at.
    order = np.repeat(np.arange(n), attempts)
    number = _rank_in_group(attempts)
    at = attempted_at[order, number]
    success = (number == planned[order] - 1) & succeeded[order]
    row_status = np.select(
        [~success, authorized[order], paid_cancelled[order]], [2, 0, 3], 1
    )  # declined, authorized, refunded, else captured
    row_updated = np.select([row_status == 1, row_status == 3], [paid_at[order], cancel_at[order]], at)
    providers = [p for m in methods for p in m.providers]
    provider_first = _group_starts(np.array([len(m.providers) for m in methods]))
    provider_count = np.array([len(m.providers) for m in methods])
    provider = provider_first[orders.method] + (rng.random(n) * provider_count[orders.method]).astype(np.int64)
    reason = np.where(row_status == 2, rng.integers(0, len(world.DECLINE_REASONS), len(order)), -1)
    by_time = np.lexsort((number, order, at))
    t = _Rows("payments", len(order))
    t.int8("payment_id", np.arange(1, len(order) + 1))
    t.int8("order_id", order[by_time] + 1)
    t.int4("attempt_number", number[by_time] + 1)
    t.text("payment_method", orders.method[order][by_time], [m.name for m in methods])
    t.text("provider", provider[order][by_time], providers)
    t.text("status", row_status[by_time], PAYMENT_STATUSES)
    t.numeric("amount", lines.order_net[order][by_time])
    t.text("decline_reason", reason[by_time], world.DECLINE_REASONS, null=reason[by_time] < 0)
    t.ts("attempted_at", at[by_time])
    t.ts("created_at", at[by_time])
    t.ts("updated_at", row_updated[by_time])
    sender.copy(t)

    # Shipments: labels are created when the order is paid; ids in that order.
    shipment = np.flatnonzero(has_shipment)
    shipment = shipment[np.lexsort((shipment, paid_at[shipment]))]
    base = np.array([r.shipping_base_cost for r in world.REGIONS])[region[shipment]]
    tariff = base + world.SHIPPING.cost_per_unit * lines.order_units[shipment] ** world.SHIPPING.cost_unit_exponent
    cost = tariff * rng.uniform(*world.SHIPPING.cost_spread, len(shipment))
    s_shipped, s_delivered = shipped[shipment], delivered[shipment]
    t = _Rows("shipments", len(shipment))
    t.int8("shipment_id", np.arange(1, len(shipment) + 1))
    t.int8("order_id", shipment + 1)
    t.text("carrier_code", carrier[shipment], carriers)
    t.text("fulfillment_center_code", center[shipment], centers)
    t.text("status", s_shipped.astype(np.int64) + s_delivered, SHIPMENT_STATUSES)
    t.numeric("shipping_cost", np.maximum(np.round(cost * 100).astype(np.int64), 1))
    t.ts("promised_at", promised_at[shipment])  # a promise may point past the end of the history
    t.ts("shipped_at", shipped_at[shipment], null=~s_shipped)
    t.ts("delivered_at", delivered_at[shipment], null=~s_delivered)
    t.ts("created_at", paid_at[shipment])
    s_updated = np.select([s_delivered, s_shipped], [delivered_at[shipment], shipped_at[shipment]], paid_at[shipment])
    t.ts("updated_at", s_updated)
    sender.copy(t)

    return _Lifecycle(
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


@dataclass
class _Returns:
    line: np.ndarray  # per return row (line index)
    quantity: np.ndarray
    amount: np.ndarray  # cents owed for the returned units, whatever the status


def _returns(rng: np.random.Generator, cal: _Calendar, lines: _Lines, life: _Lifecycle, sender: _Sender) -> _Returns:
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

    received_at = requested_at + _seconds(rng, *world.RETURNS.received_days, n)
    decided_at = received_at + _seconds(rng, *world.RETURNS.decided_days, n)
    rejected = rng.random(n) < world.RETURNS.rejected_share
    received = received_at < cal.end
    decided = decided_at < cal.end
    status = np.select([~received, ~decided, rejected], [0, 1, 3], 2)
    refunded = status == 2
    # What the customer paid for the returned units: the line's net unit price times the units.
    q = lines.quantity[line]
    amount = _round_div(quantity * (q * lines.price[line] - lines.discount[line]), q)

    by_time = np.lexsort((line, requested_at))
    t = _Rows("returns", n)
    t.int8("return_id", np.arange(1, n + 1))
    t.int8("order_item_id", line[by_time] + 1)
    t.int4("quantity", quantity[by_time])
    t.numeric("refund_amount", np.where(refunded, amount, 0)[by_time])  # money paid back so far
    t.text("reason", reason[by_time], reasons)
    t.text("status", status[by_time], RETURN_STATUSES)
    t.ts("requested_at", requested_at[by_time])
    t.ts("received_at", received_at[by_time], null=~received[by_time])
    t.ts("refunded_at", decided_at[by_time], null=~refunded[by_time])
    t.ts("created_at", requested_at[by_time])
    t.ts("updated_at", np.select([decided, received], [decided_at, received_at], requested_at)[by_time])
    sender.copy(t)
    return _Returns(line=line, quantity=quantity, amount=amount)


# --------------------------------------------------------------------------- manifest


def _rate(numerator: float, denominator: float) -> float | None:
    return round(numerator / denominator, 6) if denominator else None


def _realised(cal: _Calendar, orders: _Orders, lines: _Lines, life: _Lifecycle, returns: _Returns) -> dict[str, Any]:
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


# --------------------------------------------------------------------------- binary COPY

# A field's bytes as (data, lengths): data holds one value per row (or one for all rows) in its wire
# dtype; lengths, when given, says how many of its bytes each row really uses (the rest is dropped).
_Segment = tuple[np.ndarray, np.ndarray | None]
_Field = Callable[[int, int], list[_Segment]]
_Piece = str | np.ndarray | tuple[np.ndarray, Sequence[str]]

_COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + bytes(8)  # signature, flags, no header extension
_COPY_TRAILER = b"\xff\xff"
_PG_EPOCH_SECONDS = 946_684_800  # timestamptz travels as microseconds since 2000-01-01 UTC
_CHUNK_ROWS = 65_536


def _constant(value: int | bytes, dtype: str = ">i4") -> np.ndarray:
    if isinstance(value, bytes):
        return np.frombuffer(value, dtype=f"V{len(value)}")
    return np.array([value], dtype=dtype)


def _vocabulary(words: Sequence[str], header: bool) -> tuple[np.ndarray, np.ndarray]:
    """Each word's bytes (after its int32 length, if header) padded to one width, and its byte count."""
    encoded = [w.encode() for w in words]
    head = 4 if header else 0
    width = max(head + max([len(e) for e in encoded] + [0]), 1)
    table = np.zeros((max(len(encoded), 1), width), dtype=np.uint8)
    lengths = np.zeros(len(table), dtype=np.int64)
    for i, e in enumerate(encoded):  # the words of a vocabulary, not rows
        if header:
            table[i, :4] = np.frombuffer(len(e).to_bytes(4, "big"), dtype=np.uint8)
        table[i, head : head + len(e)] = np.frombuffer(e, dtype=np.uint8)
        lengths[i] = head + len(e)
    return table.view(f"V{width}").reshape(-1), lengths


def _decimal_digits(values: np.ndarray) -> _Segment:
    """Non-negative integers as left-aligned ASCII digits."""
    width = len(str(int(values.max()))) if len(values) else 1
    count = np.ones(len(values), dtype=np.int64)
    for k in range(1, width):  # one pass per digit position
        count += values >= 10**k
    exponent = count[:, None] - 1 - np.arange(width)
    digits = (values[:, None] // 10 ** np.maximum(exponent, 0) % 10 + ord("0")).astype(np.uint8)
    return digits.view(f"V{width}").reshape(-1), count


class _Rows:
    """One table's rows in PostgreSQL's binary COPY format, described column by column.

    A chunk of rows is laid out as a numpy structured array with every field at a
    fixed offset, so each column is written in one vectorised assignment; fields
    of varying size (text, nulls) mark their unused tail bytes, and one boolean
    mask drops them all.
    """

    def __init__(self, table: str, n: int) -> None:
        self.table = table
        self.n = n
        self.columns: list[str] = []
        self._fields: list[_Field] = []

    def _add(self, name: str, field: _Field) -> None:
        self.columns.append(name)
        self._fields.append(field)

    def _fixed(self, name: str, values: np.ndarray, dtype: str, null: np.ndarray | None) -> None:
        size = np.dtype(dtype).itemsize
        header = _constant(size)

        def field(a: int, b: int) -> list[_Segment]:
            data = values[a:b].astype(dtype)
            if null is None:
                return [(header, None), (data, None)]
            missing = null[a:b]
            return [(np.where(missing, -1, size).astype(">i4"), None), (data, np.where(missing, 0, size))]

        self._add(name, field)

    def int8(self, name: str, values: np.ndarray, null: np.ndarray | None = None) -> None:
        self._fixed(name, values, ">i8", null)

    def int4(self, name: str, values: np.ndarray) -> None:
        self._fixed(name, values, ">i4", None)

    def boolean(self, name: str, values: np.ndarray) -> None:
        self._fixed(name, values.astype(np.uint8), "u1", None)

    def ts(self, name: str, seconds: np.ndarray, null: np.ndarray | None = None) -> None:
        """timestamptz from Unix seconds."""
        self._fixed(name, (seconds - _PG_EPOCH_SECONDS) * 1_000_000, ">i8", null)

    def numeric(self, name: str, values: np.ndarray, scale: int = 2) -> None:
        """numeric from integers in units of 10**-scale (cents by default), as three base-10000 digits."""
        unit = 10**scale
        if len(values) and (values.min() < 0 or values.max() >= 10**8 * unit):
            raise GlobalCartError(f"{self.table}.{name}: a value is outside the generator's numeric range")
        header = _constant(14)

        def field(a: int, b: int) -> list[_Segment]:
            whole, fraction = np.divmod(values[a:b], unit)
            out = np.empty((b - a, 7), dtype=">i2")
            out[:, :4] = (3, 1, 0, scale)  # ndigits, weight, sign, dscale; the server strips zero digits
            out[:, 4] = whole // 10_000
            out[:, 5] = whole % 10_000
            out[:, 6] = fraction * 10 ** (4 - scale)
            return [(header, None), (out.view("V14").reshape(-1), None)]

        self._add(name, field)

    def text(self, name: str, codes: np.ndarray, words: Sequence[str], null: np.ndarray | None = None) -> None:
        """text from indices into a list of words."""
        table, lengths = _vocabulary(words, header=True)
        if null is not None:
            missing = np.zeros(1, dtype=table.dtype)
            missing.view(np.uint8)[:4] = 0xFF  # length -1: NULL
            table, lengths = np.concatenate([table, missing]), np.append(lengths, 4)
            codes = np.where(null, len(table) - 1, codes)

        def field(a: int, b: int) -> list[_Segment]:
            picked = codes[a:b]
            return [(table[picked], lengths[picked])]

        self._add(name, field)

    def text_values(self, name: str, values: Sequence[str]) -> None:
        """text from one Python string per row (small tables only)."""
        self.text(name, np.arange(len(values)), values)

    def text_pieces(self, name: str, pieces: Sequence[_Piece]) -> None:
        """text glued from constants, whole numbers and word picks, e.g. an email address."""
        words = {i: _vocabulary(p[1], header=False) for i, p in enumerate(pieces) if isinstance(p, tuple)}

        def field(a: int, b: int) -> list[_Segment]:
            segments: list[_Segment] = []
            total = np.zeros(b - a, dtype=np.int64)
            for i, piece in enumerate(pieces):
                if isinstance(piece, str):
                    segments.append((_constant(piece.encode()), None))
                    total += len(piece.encode())
                    continue
                if isinstance(piece, np.ndarray):
                    data, lengths = _decimal_digits(piece[a:b])
                else:
                    table, word_lengths = words[i]
                    data, lengths = table[piece[0][a:b]], word_lengths[piece[0][a:b]]
                segments.append((data, lengths))
                total += lengths
            return [(total.astype(">i4"), None), *segments]

        self._add(name, field)

    def encode(self, a: int, b: int) -> np.ndarray:
        segments: list[_Segment] = [(_constant(len(self._fields), ">i2"), None)]
        for field in self._fields:
            segments.extend(field(a, b))
        sizes = [data.dtype.itemsize for data, _ in segments]
        offsets = np.cumsum([0, *sizes]).tolist()
        width = offsets[-1]
        names = [f"f{i}" for i in range(len(segments))]
        layout = np.dtype(
            {
                "names": names,
                "formats": [d.dtype for d, _ in segments],
                "offsets": offsets[:-1],
                "itemsize": width,
            }
        )
        rows = np.empty(b - a, dtype=layout)
        keep: np.ndarray | None = None
        positions = np.arange(max(sizes))
        for name, (data, lengths), size, offset in zip(names, segments, sizes, offsets, strict=False):
            rows[name] = data
            if lengths is not None:
                if keep is None:
                    keep = np.ones((b - a, width), dtype=bool)
                np.less(positions[:size], lengths[:, None], out=keep[:, offset : offset + size])
        raw = rows.view(np.uint8)
        return raw if keep is None else raw.reshape(b - a, width)[keep]

    def chunks(self) -> Iterator[np.ndarray]:
        for a in range(0, self.n, _CHUNK_ROWS):
            yield self.encode(a, min(a + _CHUNK_ROWS, self.n))


# --------------------------------------------------------------------------- talking to the server


# Tables a statement of the shop DDL names (without a schema): after table/on/from/references,
# or in pg_get_serial_sequence('table', ...).
_NAMED_TABLE = re.compile(r"\b(?:table|on|from|references)\s+(\w+)|pg_get_serial_sequence\('(\w+)'")


class _LoadPlan:
    """Where each statement of the shop DDL runs, given which lane loads which table.

    A statement naming no table (the trigger function) runs before the lanes start; one
    naming tables of one lane runs in that lane's transaction, ``create table`` at its
    start and the others as soon as every table they name is loaded; one naming tables
    of both lanes (a foreign key across them) runs in the final transaction. The order
    of the files is kept among statements that become ready together.
    """

    def __init__(self, lanes: Sequence[Sequence[str]]) -> None:
        self.lane_of = {table: i for i, tables in enumerate(lanes) for table in tables}
        if sorted(self.lane_of) != sorted(LOAD_ORDER) or len(self.lane_of) != sum(map(len, lanes)):
            raise ValueError(f"the lanes must share out the tables {LOAD_ORDER}, each once: {lanes}")
        self.setup: list[str] = []
        self.creates: list[list[str]] = [[] for _ in lanes]
        self.keys: list[list[tuple[set[str], str]]] = [[] for _ in lanes]
        self.final: list[str] = []
        for name in SHOP_DDL:
            for statement in map(without_comments, split_statements(sql_text(name))):
                named = {a or b for a, b in _NAMED_TABLE.findall(statement)} & set(self.lane_of)
                lanes_named = {self.lane_of[table] for table in named}
                if not named:
                    self.setup.append(statement)
                elif len(lanes_named) > 1:
                    self.final.append(statement)
                elif statement.lower().startswith("create table"):
                    self.creates[lanes_named.pop()].append(statement)
                else:
                    self.keys[lanes_named.pop()].append((named, statement))


class _Aborted(Exception):
    pass


class _Lane:
    """One connection's share of the load, run from a thread of its own in one transaction.

    The main thread hands it tables through a bounded queue: while the server loads one
    table and builds its keys, the main thread simulates and encodes the next, and the
    bound keeps memory flat when the server is the slower side.
    """

    def __init__(
        self,
        name: str,
        conn: psycopg.Connection,
        start: list[str],
        keys: list[tuple[set[str], str]],
        done: queue.Queue[str],
    ) -> None:
        self.name = name
        self.error: BaseException | None = None
        self._conn = conn
        self._pending = keys
        self._loaded: set[str] = set()
        self._queue: queue.Queue[tuple[Any, ...] | None] = queue.Queue(maxsize=32)
        self._done = done
        self._busy = False  # the server is running a statement for this lane
        self._item: tuple[Any, ...] | None = ("idle",)  # the last item taken from the queue
        self._thread = threading.Thread(target=self._run, name=f"globalcart-{name}", daemon=True)
        self._thread.start()
        self._execute(f"{name}: tables", start)

    def copy(self, rows: _Rows) -> None:
        # FREEZE: the table is new in this transaction, so its rows can be written already
        # frozen and all-visible, which spares every later reader (and vacuum) a pass.
        statement = sql.SQL("copy {} ({}) from stdin (format binary, freeze true)").format(
            sql.Identifier(rows.table), sql.SQL(", ").join(map(sql.Identifier, rows.columns))
        )
        self._put(("copy", statement, rows.table, rows.n))
        self._put(("data", _COPY_HEADER))
        for chunk in rows.chunks():
            self._put(("data", chunk))
        self._put(("data", _COPY_TRAILER))
        self._put(("end",))
        self._loaded.add(rows.table)
        ready = [statement for needs, statement in self._pending if needs <= self._loaded]
        self._pending = [(needs, statement) for needs, statement in self._pending if not needs <= self._loaded]
        self._execute(f"{rows.table} keys", ready)

    def finish(self) -> None:
        """Queue the commit after the work already queued; ``join`` waits for it."""
        self._execute(f"{self.name}: remaining keys", [statement for _, statement in self._pending])
        self._pending = []
        self._put(("commit",))
        self._queue.put(None)

    def join(self) -> None:
        self._thread.join()

    def cancel(self) -> None:
        """Interrupt the statement the server is running for this lane, if any."""
        if self._busy:
            try:
                self._conn.cancel_safe(timeout=5)
            except psycopg.Error:
                pass

    def stop(self) -> None:
        self._queue.put(("abort",))
        self._queue.put(None)
        self._thread.join()

    def _execute(self, label: str, statements: list[str]) -> None:
        if statements:
            self._put(("sql", label, statements))

    def _put(self, item: tuple[Any, ...]) -> None:
        if self.error is not None:
            raise self.error
        self._queue.put(item)

    def _run(self) -> None:
        try:
            with self._conn.cursor() as cur:
                while self._take() is not None:
                    self._busy = True
                    self._serve(cur)
                    self._busy = False
        except BaseException as exc:  # handed to the main thread
            self.error = exc
            self._busy = False
            while self._item is not None:  # keep draining, so the producer never blocks on a full queue
                self._take()

    def _take(self) -> tuple[Any, ...] | None:
        self._item = self._queue.get()
        return self._item

    def _serve(self, cur: psycopg.Cursor) -> None:
        """Do the piece of work just taken from the queue."""
        item = self._item
        assert item is not None
        started = time.perf_counter()
        if item[0] == "sql":
            _, label, statements = item
            for statement in statements:
                cur.execute(statement.encode(), prepare=False)
            self._done.put(f"{label}: {len(statements)} statements in {time.perf_counter() - started:.2f} s")
            return
        if item[0] == "commit":
            self._conn.commit()
            self._done.put(f"{self.name}: commit in {time.perf_counter() - started:.2f} s")
            return
        if item[0] != "copy":
            raise _Aborted()
        _, statement, table, n = item
        with cur.copy(statement) as copy:
            while (data := self._take()) is not None and data[0] == "data":
                copy.write(memoryview(data[1]))
            if data is None or data[0] != "end":
                raise _Aborted()
        self._done.put(f"{table}: {n:,} rows in {time.perf_counter() - started:.2f} s")


class _Sender:
    """Sends each table to the lane that loads it, one lane (and connection) per share of LANES."""

    def __init__(self, conns: Sequence[psycopg.Connection], plan: _LoadPlan, progress: Callable[[str], None]) -> None:
        self._plan = plan
        self._progress = progress
        self._done: queue.Queue[str] = queue.Queue()
        self._lanes: list[_Lane] = []
        self.row_counts: dict[str, int] = {}
        for i, conn in enumerate(conns):
            # Ask the kernel to start writing the new tables out while they are loaded, so the
            # commit (which must sync every relation created without WAL) has less left to wait for.
            start = [sql_text(LOADING_SQL + "use_loading_schema.sql"), "set local backend_flush_after = '2MB'"]
            self._lanes.append(_Lane(f"lane {i + 1}", conn, start + plan.creates[i], plan.keys[i], self._done))

    def copy(self, rows: _Rows) -> None:
        self.row_counts[rows.table] = rows.n
        self._lanes[self._plan.lane_of[rows.table]].copy(rows)
        self._report()

    def finish(self) -> None:
        for lane in self._lanes:
            lane.finish()
        for lane in self._lanes:  # the lanes commit in parallel
            lane.join()
        self._report()
        for lane in self._lanes:
            if lane.error is not None:
                raise lane.error

    def abort(self) -> None:
        for lane in self._lanes:
            lane.cancel()
        for lane in self._lanes:
            lane.stop()

    def _report(self) -> None:
        while not self._done.empty():
            self._progress(self._done.get())
