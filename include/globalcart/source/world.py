"""The shop the generator and the simulator pretend to be.

Every behaviour the analytics are expected to discover is set here, once, and
written to the generation manifest as ground truth: return rates by category,
the carrier and fulfillment center pair that is late, decline rates by payment
method, the churn process. The generator (history) and the simulator (live
changes) both draw from these numbers, so the live shop keeps the same character
as its past.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Category:
    name: str
    share: float  # share of order lines
    return_rate: float  # probability that a delivered line is (partly) returned
    price_low: float
    price_high: float
    cost_ratio: float  # unit cost / list price at launch
    brands: tuple[str, ...]


CATEGORIES: tuple[Category, ...] = (
    Category("apparel", 0.24, 0.24, 12, 120, 0.42, ("Northline", "Urbanweave", "Kestrel")),
    Category("footwear", 0.12, 0.17, 35, 180, 0.48, ("Stride", "Kestrel", "Tallow")),
    Category("electronics", 0.14, 0.07, 25, 900, 0.74, ("Voltix", "Arcwave", "Lumen")),
    Category("home", 0.16, 0.05, 10, 300, 0.55, ("Hearth", "Oakmere", "Nook")),
    Category("beauty", 0.12, 0.03, 6, 80, 0.35, ("Glowery", "Pure Leaf")),
    Category("sports", 0.10, 0.08, 15, 400, 0.57, ("Summit", "Stride", "Pacer")),
    Category("books", 0.06, 0.02, 8, 45, 0.60, ("Papyrus", "Inkwell")),
    Category("toys", 0.06, 0.06, 8, 150, 0.50, ("Kitebox", "Blocksy")),
)


@dataclass(frozen=True)
class Region:
    name: str
    share: float
    countries: tuple[str, ...]
    fulfillment_centers: tuple[str, ...]  # centers that serve the region, first is the main one


REGIONS: tuple[Region, ...] = (
    Region("north_america", 0.46, ("US", "CA"), ("FC-NJ", "FC-TX", "FC-CA")),
    Region("europe", 0.30, ("DE", "FR", "GB", "ES", "NL"), ("FC-DE", "FC-NJ")),
    Region("latin_america", 0.10, ("BR", "MX"), ("FC-TX", "FC-CA")),
    Region("asia_pacific", 0.14, ("AU", "JP", "SG"), ("FC-SG", "FC-CA")),
)

# code, city, region
FULFILLMENT_CENTERS: tuple[tuple[str, str, str], ...] = (
    ("FC-NJ", "Edison", "north_america"),
    ("FC-TX", "Dallas", "north_america"),
    ("FC-CA", "Ontario", "north_america"),
    ("FC-DE", "Leipzig", "europe"),
    ("FC-SG", "Singapore", "asia_pacific"),
)

# code, name, share of shipments, on-time probability
CARRIERS: tuple[tuple[str, str, float, float], ...] = (
    ("dhl", "DHL Express", 0.26, 0.93),
    ("fedex", "FedEx", 0.24, 0.94),
    ("ups", "UPS", 0.24, 0.92),
    ("parcelpro", "ParcelPro", 0.16, 0.90),
    ("postnord", "PostNord", 0.10, 0.89),
)

# The pair with poor on-time performance: most of its parcels arrive late.
LATE_PAIR = ("parcelpro", "FC-TX")
LATE_PAIR_ON_TIME_RATE = 0.55

# name, share of orders
CHANNELS: tuple[tuple[str, float], ...] = (
    ("web", 0.46),
    ("mobile_app", 0.34),
    ("marketplace", 0.15),
    ("phone", 0.05),
)

SEGMENTS: tuple[tuple[str, float], ...] = (("consumer", 0.84), ("business", 0.12), ("vip", 0.04))


@dataclass(frozen=True)
class PaymentMethod:
    name: str
    share: float
    decline_rate: float  # per attempt
    providers: tuple[str, ...]


PAYMENT_METHODS: tuple[PaymentMethod, ...] = (
    PaymentMethod("card", 0.55, 0.07, ("stripe", "adyen")),
    PaymentMethod("paypal", 0.20, 0.03, ("paypal",)),
    PaymentMethod("bank_transfer", 0.06, 0.02, ("adyen",)),
    PaymentMethod("gift_card", 0.05, 0.01, ("internal",)),
    PaymentMethod("buy_now_pay_later", 0.14, 0.16, ("klarna", "affirm")),
)
DECLINE_REASONS = ("insufficient_funds", "suspected_fraud", "expired_card", "issuer_unavailable")
RETRY_PROBABILITY = 0.7  # after a decline, the customer tries again (at most MAX_PAYMENT_ATTEMPTS)
MAX_PAYMENT_ATTEMPTS = 3

RETURN_REASONS = ("damaged", "wrong_item", "wrong_size", "not_as_described", "changed_mind", "late_delivery")
RETURN_DELAY_DAYS = (3, 45)  # returns are requested this many days after delivery
# Customers whose parcel came late return more often, and say why.
LATE_DELIVERY_RETURN_UPLIFT = 1.8

CANCELLATION_RATE = 0.04  # orders cancelled before they ship
PROMISED_DELIVERY_DAYS = (2, 5)  # promised delivery, days after the order is paid

# Demand: orders per day follow a logistic growth curve that flattens, with
# weekly and yearly seasonality; discount depth grows as growth slows.
WEEKLY_PROFILE = (0.92, 0.90, 0.93, 0.97, 1.05, 1.12, 1.11)  # Monday .. Sunday
YEARLY_PEAK_DAY = 335  # around the start of December
YEARLY_AMPLITUDE = 0.30
DISCOUNT_DEPTH_START = 0.05
DISCOUNT_DEPTH_END = 0.16

# Repeat purchases: after each order a customer either stops buying for good
# or comes back after a gap drawn from a log-normal distribution.
STOP_PROBABILITY_AFTER_ORDER = 0.32
REPEAT_GAP_MEDIAN_DAYS = 38.0
REPEAT_GAP_SIGMA = 0.75
CHURN_WINDOW_DAYS = 90

# Price and cost changes: each product is repriced from time to time.
REPRICE_EVERY_DAYS = 120  # mean days between price-list changes of a product
COST_DRIFT_PER_YEAR = 0.04  # unit costs creep up


def ground_truth() -> dict:
    """The planted signals, as written to the generation manifest."""
    return {
        "return_rate_by_category": {c.name: c.return_rate for c in CATEGORIES},
        "highest_return_rate_category": max(CATEGORIES, key=lambda c: c.return_rate).name,
        "late_pair": {"carrier": LATE_PAIR[0], "fulfillment_center": LATE_PAIR[1]},
        "late_pair_on_time_rate": LATE_PAIR_ON_TIME_RATE,
        "on_time_rate_by_carrier": {code: on_time for code, _, _, on_time in CARRIERS},
        "decline_rate_by_payment_method": {m.name: m.decline_rate for m in PAYMENT_METHODS},
        "retry_probability": RETRY_PROBABILITY,
        "return_delay_days": list(RETURN_DELAY_DAYS),
        "cancellation_rate": CANCELLATION_RATE,
        "discount_depth": {"start": DISCOUNT_DEPTH_START, "end": DISCOUNT_DEPTH_END},
        "repeat_purchase": {
            "stop_probability_after_order": STOP_PROBABILITY_AFTER_ORDER,
            "gap_median_days": REPEAT_GAP_MEDIAN_DAYS,
            "gap_sigma": REPEAT_GAP_SIGMA,
        },
        "weekly_profile": list(WEEKLY_PROFILE),
        "yearly_peak_day_of_year": YEARLY_PEAK_DAY,
        "categories": [asdict(c) for c in CATEGORIES],
    }
