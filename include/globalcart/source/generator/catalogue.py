"""The catalogue and the shop's calendar of offers: carriers and fulfillment centers, products with
their price history, and promotions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from globalcart.source import world
from globalcart.source.generator.arrays import cumsum_in_groups, group_starts, rank_in_group
from globalcart.source.generator.params import GenerationParams
from globalcart.source.generator.tables import BigInt, Boolean, Emit, Numeric, Table, Text, Timestamp
from globalcart.source.generator.timeline import DAY, HOUR, MINUTE, Calendar, seconds

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
PROMOTION_STATUSES = ("active", "ended", "cancelled")
_REFERENCE_TIME = int(dt.datetime(1989, 1, 1, tzinfo=dt.UTC).timestamp())  # before any allowed history


def reference_network(emit: Emit) -> None:
    """Carriers and fulfillment centers: reference rows, as world.py lists them."""
    emit(
        Table(
            "carriers",
            len(world.CARRIERS),
            (
                Text.of("carrier_code", [c.code for c in world.CARRIERS]),
                Text.of("carrier_name", [c.name for c in world.CARRIERS]),
                # Reference rows exist before the history; a fixed instant keeps them deterministic.
                Timestamp("created_at", np.full(len(world.CARRIERS), _REFERENCE_TIME)),
                Timestamp("updated_at", np.full(len(world.CARRIERS), _REFERENCE_TIME)),
            ),
        )
    )
    emit(
        Table(
            "fulfillment_centers",
            len(world.FULFILLMENT_CENTERS),
            (
                Text.of("fulfillment_center_code", [f.code for f in world.FULFILLMENT_CENTERS]),
                Text.of("city", [f.city for f in world.FULFILLMENT_CENTERS]),
                Text.of("region", [f.region for f in world.FULFILLMENT_CENTERS]),
                Timestamp("created_at", np.full(len(world.FULFILLMENT_CENTERS), _REFERENCE_TIME)),
                Timestamp("updated_at", np.full(len(world.FULFILLMENT_CENTERS), _REFERENCE_TIME)),
            ),
        )
    )


@dataclass
class Catalogue:
    category: np.ndarray  # per product (index = product_id - 1)
    launch_sorted: list[np.ndarray]  # per category, its products' launch times in order
    by_category_product: np.ndarray  # products sorted by (category, launch)
    category_first: np.ndarray  # where each category starts in the sorted arrays
    price_key: np.ndarray  # price rows sorted by (product, valid_from), as product << 34 | valid_from offset
    price_cents: np.ndarray
    base: int  # origin of the time offsets in the keys


def draw_products(rng: np.random.Generator, cal: Calendar, params: GenerationParams, emit: Emit) -> Catalogue:
    categories = world.CATEGORIES
    names = [c.name for c in categories]
    total = int(np.clip(4 * np.sqrt(params.order_lines), 80, 20_000))
    shares = np.array([c.share for c in categories])
    per_category = np.maximum(5, np.round(total * shares / shares.sum()).astype(np.int64))
    category = np.repeat(np.arange(len(categories)), per_category)
    n = len(category)
    later = rng.random(n) < world.CATALOGUE.launched_during_history_share
    later[group_starts(per_category)] = False  # every category has something to sell from day one
    launched = np.where(
        later,
        cal.start + seconds(rng, 0, 0.9 * cal.days, n),
        cal.start - seconds(rng, 1, world.CATALOGUE.lead_days, n),
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
    first = rank_in_group(1 + changes) == 0
    minutes = (rng.random(len(product)) * (life_seconds[product] // MINUTE)).astype(np.int64)
    valid_from = launched[product] + np.where(first, 0, minutes * MINUTE)
    by_time = np.lexsort((valid_from, product))
    product, valid_from = product[by_time], valid_from[by_time]
    distinct = np.ones(len(product), dtype=bool)
    distinct[1:] = (product[1:] != product[:-1]) | (valid_from[1:] != valid_from[:-1])
    product, valid_from = product[distinct], valid_from[distinct]
    rows = np.bincount(product, minlength=n)
    first_row = group_starts(rows)
    last_row = first_row + rows - 1
    step = rng.normal(world.CATALOGUE.price_step_mean, world.CATALOGUE.price_step_sigma, len(product))
    step[first_row] = 0.0
    price = first_price[product] * np.exp(cumsum_in_groups(step, rows))
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
    emit(
        Table(
            "products",
            n,
            (
                BigInt("product_id", np.arange(1, n + 1)),
                Text.of("sku", skus),
                Text.of("product_name", product_names),
                Text("category", category, names),
                Text.of("brand", brands),
                Numeric("list_price", price_cents[last_row]),
                Numeric("unit_cost", cost_cents[last_row]),
                Boolean("is_active", np.ones(n, dtype=bool)),
                Timestamp("created_at", launched),
                Timestamp("updated_at", valid_from[last_row]),  # the latest price change rewrote the product row
            ),
        )
    )

    emit(
        Table(
            "product_prices",
            len(product),
            (
                BigInt("product_id", product + 1),
                Timestamp("valid_from", valid_from),
                Numeric("list_price", price_cents),
                Numeric("unit_cost", cost_cents),
                Timestamp("created_at", valid_from),
                Timestamp("updated_at", valid_from),
            ),
        )
    )

    base = min(int(launched.min()), cal.start)
    by_category = np.lexsort((launched, category))
    return Catalogue(
        category=category,
        launch_sorted=[launched[by_category][category[by_category] == c] for c in range(len(categories))],
        by_category_product=by_category,
        category_first=group_starts(np.bincount(category, minlength=len(categories))),
        price_key=(product << 34) | (valid_from - base),
        price_cents=price_cents,
        base=base,
    )


@dataclass
class Promotions:
    boundaries: np.ndarray  # instants where the set of running promotions changes
    best: np.ndarray  # the deepest running promotion from each boundary to the next (-1: none)
    rate_e4: np.ndarray  # discount rate in units of 1/10000


def draw_promotions(rng: np.random.Generator, cal: Calendar, emit: Emit) -> Promotions:
    gaps = seconds(rng, *world.PROMOTIONS.gap_days, cal.days // 5 + 2)
    starts = cal.start + seconds(rng, 0, 7, 1)[0] + np.cumsum(gaps) - gaps[0]
    starts = starts[starts < cal.end - HOUR]
    lengths = seconds(rng, *world.PROMOTIONS.length_days, len(starts))
    # Every year a deeper campaign runs up to the yearly peak of demand.
    first_year = dt.datetime.fromtimestamp(cal.start, dt.UTC).year
    last_year = dt.datetime.fromtimestamp(cal.end, dt.UTC).year
    new_year = [int(dt.datetime(y, 1, 1, tzinfo=dt.UTC).timestamp()) for y in range(first_year, last_year + 1)]
    peak_starts = (
        np.array(new_year, dtype=np.int64)
        + (world.DEMAND.yearly_peak_day - world.PROMOTIONS.peak_lead_days) * DAY
        + world.PROMOTIONS.peak_start_hour * HOUR
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
    created = starts - seconds(rng, *world.PROMOTIONS.announced_days, n)
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
    emit(
        Table(
            "promotions",
            n,
            (
                BigInt("promotion_id", np.arange(1, n + 1)),
                Text.of("promotion_code", codes),
                Numeric("discount_rate", rate_e4, scale=4),
                Timestamp("starts_at", starts),
                Timestamp("ends_at", ends),  # a running promotion ends after the history: a plan, not an event
                Text("status", status, PROMOTION_STATUSES),
                Timestamp("created_at", created),
                Timestamp("updated_at", updated),
            ),
        )
    )

    live = np.flatnonzero(~cancelled)
    boundaries = np.unique(np.concatenate([starts[live], ends[live], [cal.start]]))
    running = (starts[live] <= boundaries[:, None]) & (boundaries[:, None] < ends[live])
    depth_running = np.where(running, rate_e4[live], -1)
    best = np.full(len(boundaries), -1, dtype=np.int64)
    if len(live):
        deepest = live[np.argmax(depth_running, axis=1)]
        best = np.where(running.any(axis=1), deepest, -1)
    return Promotions(boundaries=boundaries, best=best, rate_e4=rate_e4)
