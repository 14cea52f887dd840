"""Customers and their orders: who buys, when, through which channel, and what is in each basket."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from globalcart.source import world
from globalcart.source.generator.arrays import choice, cumsum_in_groups, group_starts, rank_in_group, round_div
from globalcart.source.generator.catalogue import Catalogue, Promotions
from globalcart.source.generator.tables import BigInt, Emit, GluedText, Integer, Numeric, Table, Text, Timestamp
from globalcart.source.generator.timeline import DAY, MINUTE, Calendar, seconds, time_of_day

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
CUSTOMER_STATUSES = ("active", "closed")


@dataclass
class Buyers:
    size: int  # customers
    order_customer: np.ndarray  # per order, customer-major
    ordered_at: np.ndarray
    lines: np.ndarray

    def head(self, customers: int) -> Buyers:
        orders = int(np.searchsorted(self.order_customer, customers))
        return Buyers(customers, self.order_customer[:orders], self.ordered_at[:orders], self.lines[:orders])


def _draw_buyer_batch(rng: np.random.Generator, cal: Calendar, size: int) -> Buyers:
    """New customers and every order each places before the end of the history."""
    day = np.minimum(np.searchsorted(cal.acquisition_cdf, rng.random(size), side="right"), cal.days - 1)
    first_time = time_of_day(rng, size)
    planned = np.minimum(rng.geometric(world.CUSTOMERS.stop_probability_after_order, size), world.CUSTOMERS.max_orders)
    repeats = planned - 1
    gaps = rng.lognormal(
        np.log(world.CUSTOMERS.repeat_gap_median_days), world.CUSTOMERS.repeat_gap_sigma, int(repeats.sum())
    )
    owner = np.repeat(np.arange(size), repeats)
    # Gaps run on the seasonal clock, so repeat purchases follow the weekly and yearly pattern too.
    first_clock = cal.clock[day] + cal.season[day] * first_time / DAY
    repeat_day = np.searchsorted(cal.clock, first_clock[owner] + cumsum_in_groups(gaps, repeats), side="right") - 1
    happened = repeat_day < cal.days  # later ones fall after the end of the history
    owner, repeat_day = owner[happened], repeat_day[happened]
    customer = np.concatenate([np.arange(size), owner])
    order_day = np.concatenate([day, repeat_day])
    order_time = np.concatenate([first_time, time_of_day(rng, len(owner))])
    by_customer = np.argsort(customer, kind="stable")
    lines = choice(rng, world.BASKETS.lines_per_order, len(customer)) + 1
    return Buyers(
        size=size,
        order_customer=customer[by_customer],
        ordered_at=cal.start + order_day[by_customer] * DAY + order_time[by_customer],
        lines=lines,
    )


def draw_buyers(rng: np.random.Generator, cal: Calendar, target_lines: int) -> Buyers:
    """Just enough customers (drawn independently) for their orders to reach the target number of lines."""
    parts: list[Buyers] = []
    remaining = target_lines
    lines_per_customer = 5.0
    while remaining > 0:
        size = int(remaining / lines_per_customer * 1.05) + 16
        batch = _draw_buyer_batch(rng, cal, size)
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
    return Buyers(
        size=int(offsets[-1]),
        order_customer=np.concatenate([p.order_customer + o for p, o in zip(parts, offsets, strict=False)]),
        ordered_at=np.concatenate([p.ordered_at for p in parts]),
        lines=np.concatenate([p.lines for p in parts]),
    )


@dataclass
class Customers:
    customer_id: np.ndarray  # per drawn customer (buyers first, then those who never order)
    region: np.ndarray  # per customer_id - 1 from here on
    channel: np.ndarray
    method: np.ndarray


def draw_customers(rng: np.random.Generator, cal: Calendar, buyers: Buyers, emit: Emit) -> Customers:
    n_buyers = buyers.size
    starts = group_starts(np.bincount(buyers.order_customer, minlength=n_buyers))
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
    signed_up = np.concatenate([signed_up, cal.start + browser_day * DAY + time_of_day(rng, n_browsers)])
    last_seen = np.concatenate([last_order, signed_up[n_buyers:]])
    n = len(signed_up)
    by_signup = np.lexsort((np.arange(n), signed_up))  # ids follow sign-up order
    customer_id = np.empty(n, dtype=np.int64)
    customer_id[by_signup] = np.arange(1, n + 1)
    signed_up, last_seen = signed_up[by_signup], last_seen[by_signup]

    region = choice(rng, [r.share for r in world.REGIONS], n)
    countries = [c for r in world.REGIONS for c in r.countries]
    country_first = np.array(group_starts(np.array([len(r.countries) for r in world.REGIONS])))
    country_count = np.array([len(r.countries) for r in world.REGIONS])
    country = country_first[region] + (rng.random(n) * country_count[region]).astype(np.int64)
    segment = choice(rng, [s.share for s in world.SEGMENTS], n)
    channel = choice(rng, [c.share for c in world.CHANNELS], n)
    method = choice(rng, [m.share for m in world.PAYMENT_METHODS], n)
    first_name = rng.integers(0, len(FIRST_NAMES), n)
    last_name = rng.integers(0, len(LAST_NAMES), n)
    domain = rng.integers(0, len(EMAIL_DOMAINS), n)
    closed_at = last_seen + seconds(rng, *world.CUSTOMERS.close_after_days, n)
    closed = (rng.random(n) < world.CUSTOMERS.close_probability) & (closed_at < cal.end)

    ids = np.arange(1, n + 1)
    lower_first = [name.lower() for name in FIRST_NAMES]
    lower_last = [name.lower() for name in LAST_NAMES]
    emit(
        Table(
            "customers",
            n,
            (
                BigInt("customer_id", ids),
                GluedText(
                    "email",
                    [(first_name, lower_first), ".", (last_name, lower_last), ids, "@", (domain, EMAIL_DOMAINS)],
                ),
                GluedText("full_name", [(first_name, FIRST_NAMES), " ", (last_name, LAST_NAMES)]),
                Text("region", region, [r.name for r in world.REGIONS]),
                Text("country_code", country, countries),
                Text("segment", segment, [s.name for s in world.SEGMENTS]),
                Text("acquisition_channel", channel, [c.name for c in world.CHANNELS]),
                Text("status", closed.astype(np.int64), CUSTOMER_STATUSES),
                Timestamp("signed_up_at", signed_up),
                Timestamp("created_at", signed_up),
                Timestamp("updated_at", np.where(closed, closed_at, signed_up)),
            ),
        )
    )
    return Customers(customer_id=customer_id, region=region, channel=channel, method=method)


@dataclass
class Orders:
    customer: np.ndarray  # customer_id - 1, per order_id - 1
    ordered_at: np.ndarray
    lines: np.ndarray
    channel: np.ndarray
    method: np.ndarray
    promotion: np.ndarray  # promotion_id - 1, or -1


def draw_orders(
    rng: np.random.Generator, cal: Calendar, buyers: Buyers, customers: Customers, promotions: Promotions
) -> Orders:
    customer = customers.customer_id[buyers.order_customer] - 1
    by_time = np.lexsort((customer, buyers.ordered_at))  # order ids follow time
    customer, ordered_at, lines = customer[by_time], buyers.ordered_at[by_time], buyers.lines[by_time]
    n = len(customer)
    channel = np.where(
        rng.random(n) < world.CUSTOMERS.preferred_channel_share,
        customers.channel[customer],
        choice(rng, [c.share for c in world.CHANNELS], n),
    )
    method = np.where(
        rng.random(n) < world.CUSTOMERS.preferred_method_share,
        customers.method[customer],
        choice(rng, [m.share for m in world.PAYMENT_METHODS], n),
    )
    best = promotions.best[np.searchsorted(promotions.boundaries, ordered_at, side="right") - 1]
    use_share = (
        world.PROMOTIONS.use_share_start
        + (world.PROMOTIONS.use_share_end - world.PROMOTIONS.use_share_start)
        * cal.growth_progress[cal.day_of(ordered_at)]
    )
    promotion = np.where((best >= 0) & (rng.random(n) < use_share), best, -1)
    return Orders(customer, ordered_at, lines, channel, method, promotion)


@dataclass
class Lines:
    order: np.ndarray  # order_id - 1, per order_item_id - 1
    category: np.ndarray
    quantity: np.ndarray
    price: np.ndarray  # cents
    discount: np.ndarray  # cents
    order_first: np.ndarray  # first line of each order
    order_net: np.ndarray  # cents, per order
    order_units: np.ndarray
    table: Table  # sent after the orders, so the items' foreign key can be checked as soon as they land


def draw_lines(rng: np.random.Generator, orders: Orders, catalogue: Catalogue, promotions: Promotions) -> Lines:
    order = np.repeat(np.arange(len(orders.lines)), orders.lines)
    n = len(order)
    at = orders.ordered_at[order]
    category = choice(rng, [c.share for c in world.CATEGORIES], n)
    # Among the category's products already launched, longer-listed ones sell more.
    available = np.empty(n, dtype=np.int64)
    for c in range(len(world.CATEGORIES)):  # per category: line times are sorted, so the search is fast
        mine = category == c
        available[mine] = np.searchsorted(catalogue.launch_sorted[c], at[mine], "right")
    pick = (available * rng.random(n) ** world.BASKETS.popularity_skew).astype(np.int64)
    product = catalogue.by_category_product[catalogue.category_first[category] + pick]
    price_row = np.searchsorted(catalogue.price_key, (product << 34) | (at - catalogue.base), "right") - 1
    price = catalogue.price_cents[price_row]
    quantity = choice(rng, world.BASKETS.units_per_line, n) + 1
    promotion = orders.promotion[order]
    rate_e4 = np.append(promotions.rate_e4, 0)[promotion]  # -1 (no promotion) picks the appended 0
    discount = round_div(rate_e4 * quantity * price, 10_000)
    order_first = group_starts(orders.lines)
    net = quantity * price - discount

    table = Table(
        "order_items",
        n,
        (
            BigInt("order_item_id", np.arange(1, n + 1)),
            BigInt("order_id", order + 1),
            Integer("line_number", rank_in_group(orders.lines) + 1),
            BigInt("product_id", product + 1),
            Integer("quantity", quantity),
            Numeric("unit_price", price),
            Numeric("discount_amount", discount),
            Timestamp("created_at", at),
            Timestamp("updated_at", at),
        ),
    )
    return Lines(
        table=table,
        order=order,
        category=catalogue.category[product],
        quantity=quantity,
        price=price,
        discount=discount,
        order_first=order_first,
        order_net=np.add.reduceat(net, order_first),
        order_units=np.add.reduceat(quantity, order_first),
    )
