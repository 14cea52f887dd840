"""The shop the generator and the simulator pretend to be.

Every behaviour of the shop is set here, once: how many orders, what is in them,
how often payments fail, how parcels travel and what they cost, what comes back
and when. The generator (history) and the simulator (live changes) both read
these records, so the live shop keeps the character of its past. The behaviours
the analytics are expected to discover (return rates by category, the carrier and
fulfillment center pair that is late, decline rates by payment method, the churn
process) are also written to the generation manifest as ground truth.

Ranges are ``(low, high)`` pairs drawn uniformly unless said otherwise.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields


@dataclass(frozen=True)
class ReturnReasons:
    """Why lines of a category come back when the parcel was on time: relative weights."""

    damaged: float
    wrong_item: float
    wrong_size: float
    not_as_described: float
    changed_mind: float


# After a late parcel, some customers give lateness as the reason (see Returns.late_reason_share).
RETURN_REASONS = (*(f.name for f in fields(ReturnReasons)), "late_delivery")


@dataclass(frozen=True)
class Category:
    name: str
    share: float  # share of order lines
    return_rate: float  # probability that a delivered line is (partly) returned
    price_low: float
    price_high: float
    cost_ratio: float  # unit cost / list price at launch
    brands: tuple[str, ...]
    reasons: ReturnReasons


CATEGORIES: tuple[Category, ...] = (
    Category("apparel", 0.24, 0.24, 12, 120, 0.42, ("Northline", "Urbanweave", "Kestrel"),
             ReturnReasons(0.04, 0.06, 0.52, 0.18, 0.20)),
    Category("footwear", 0.12, 0.17, 35, 180, 0.48, ("Stride", "Kestrel", "Tallow"),
             ReturnReasons(0.05, 0.06, 0.50, 0.17, 0.22)),
    Category("electronics", 0.14, 0.07, 25, 900, 0.74, ("Voltix", "Arcwave", "Lumen"),
             ReturnReasons(0.34, 0.10, 0.00, 0.30, 0.26)),
    Category("home", 0.16, 0.05, 10, 300, 0.55, ("Hearth", "Oakmere", "Nook"),
             ReturnReasons(0.38, 0.12, 0.00, 0.25, 0.25)),
    Category("beauty", 0.12, 0.03, 6, 80, 0.35, ("Glowery", "Pure Leaf"),
             ReturnReasons(0.20, 0.15, 0.00, 0.30, 0.35)),
    Category("sports", 0.10, 0.08, 15, 400, 0.57, ("Summit", "Stride", "Pacer"),
             ReturnReasons(0.15, 0.10, 0.25, 0.20, 0.30)),
    Category("books", 0.06, 0.02, 8, 45, 0.60, ("Papyrus", "Inkwell"),
             ReturnReasons(0.45, 0.25, 0.00, 0.05, 0.25)),
    Category("toys", 0.06, 0.06, 8, 150, 0.50, ("Kitebox", "Blocksy"),
             ReturnReasons(0.35, 0.15, 0.00, 0.20, 0.30)),
)  # fmt: skip


@dataclass(frozen=True)
class Region:
    name: str
    share: float  # share of customers
    countries: tuple[str, ...]
    fulfillment_centers: tuple[str, ...]  # centers that serve the region, first is the main one
    shipping_base_cost: float  # dollars per parcel, before the units in it


REGIONS: tuple[Region, ...] = (
    Region("north_america", 0.46, ("US", "CA"), ("FC-NJ", "FC-TX", "FC-CA"), 5.5),
    Region("europe", 0.30, ("DE", "FR", "GB", "ES", "NL"), ("FC-DE", "FC-NJ"), 6.9),
    Region("latin_america", 0.10, ("BR", "MX"), ("FC-TX", "FC-CA"), 9.8),
    Region("asia_pacific", 0.14, ("AU", "JP", "SG"), ("FC-SG", "FC-CA"), 11.5),
)


@dataclass(frozen=True)
class FulfillmentCenter:
    code: str
    city: str
    region: str


FULFILLMENT_CENTERS: tuple[FulfillmentCenter, ...] = (
    FulfillmentCenter("FC-NJ", "Edison", "north_america"),
    FulfillmentCenter("FC-TX", "Dallas", "north_america"),
    FulfillmentCenter("FC-CA", "Ontario", "north_america"),
    FulfillmentCenter("FC-DE", "Leipzig", "europe"),
    FulfillmentCenter("FC-SG", "Singapore", "asia_pacific"),
)


@dataclass(frozen=True)
class Carrier:
    code: str
    name: str
    share: float  # share of shipments
    on_time_rate: float


CARRIERS: tuple[Carrier, ...] = (
    Carrier("dhl", "DHL Express", 0.26, 0.93),
    Carrier("fedex", "FedEx", 0.24, 0.94),
    Carrier("ups", "UPS", 0.24, 0.92),
    Carrier("parcelpro", "ParcelPro", 0.16, 0.90),
    Carrier("postnord", "PostNord", 0.10, 0.89),
)

# The pair with poor on-time performance: most of its parcels arrive late.
LATE_PAIR = ("parcelpro", "FC-TX")
LATE_PAIR_ON_TIME_RATE = 0.55


@dataclass(frozen=True)
class Channel:
    name: str
    share: float  # share of orders


CHANNELS: tuple[Channel, ...] = (
    Channel("web", 0.46),
    Channel("mobile_app", 0.34),
    Channel("marketplace", 0.15),
    Channel("phone", 0.05),
)


@dataclass(frozen=True)
class Segment:
    name: str
    share: float  # share of customers


SEGMENTS: tuple[Segment, ...] = (Segment("consumer", 0.84), Segment("business", 0.12), Segment("vip", 0.04))


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


@dataclass(frozen=True)
class Demand:
    """Orders per day: a logistic growth curve that flattens, with weekly, yearly and daily rhythms."""

    weekly_profile: tuple[float, ...]  # Monday .. Sunday
    hourly_profile: tuple[float, ...]  # orders by hour of the day (UTC), 0 .. 23
    yearly_peak_day: int  # day of the year
    yearly_amplitude: float
    growth_floor: float  # acquisition at the start, relative to the mature shop
    growth_midpoint: float  # where the acquisition curve turns, as a share of the history
    growth_steepness: float


DEMAND = Demand(
    weekly_profile=(0.92, 0.90, 0.93, 0.97, 1.05, 1.12, 1.11),
    # Quiet at night, busiest in the evening.
    hourly_profile=(
        0.25,
        0.15,
        0.10,
        0.08,
        0.08,
        0.12,
        0.25,
        0.45,
        0.70,
        0.85,
        0.95,
        1.00,
        1.05,
        1.00,
        0.95,
        0.95,
        1.00,
        1.10,
        1.25,
        1.40,
        1.45,
        1.30,
        0.95,
        0.55,
    ),  # fmt: skip
    yearly_peak_day=335,  # around the start of December
    yearly_amplitude=0.30,
    growth_floor=0.2,
    growth_midpoint=0.4,
    growth_steepness=8.0,
)


@dataclass(frozen=True)
class Customers:
    """Who signs up, how loyal they are, and how their accounts change."""

    # Repeat purchases: after each order a customer either stops buying for good
    # or comes back after a gap drawn from a log-normal distribution.
    stop_probability_after_order: float
    repeat_gap_median_days: float
    repeat_gap_sigma: float
    max_orders: int
    churn_window_days: int  # a customer without an order for this long counts as churned
    signup_only_share: float  # customers who sign up and never order, relative to buyers
    signup_at_checkout_share: float  # buyers who sign up while placing their first order...
    signup_at_checkout_minutes: tuple[int, int]  # ...this long before it
    signup_lead_mean_days: float  # the others signed up some days before (exponential)
    preferred_channel_share: float  # orders placed through the channel that acquired the customer
    preferred_method_share: float  # orders paid with the customer's usual method
    close_probability: float  # lapsed customers who close their account...
    close_after_days: tuple[float, float]  # ...this long after they were last seen
    # The live shop picks its buyers among known customers and newcomers, and changes accounts now and then.
    returning_order_share: float  # orders from customers who already have an account
    changes_per_customer_day: float  # account changes (move, segment change, closure)
    move_share: float  # of the changes: a move to another region
    segment_change_share: float  # of the changes: a new segment; the rest close the account


CUSTOMERS = Customers(
    stop_probability_after_order=0.32,
    repeat_gap_median_days=38.0,
    repeat_gap_sigma=0.75,
    max_orders=400,
    churn_window_days=90,
    signup_only_share=0.10,
    signup_at_checkout_share=0.45,
    signup_at_checkout_minutes=(1, 30),
    signup_lead_mean_days=5.0,
    preferred_channel_share=0.6,
    preferred_method_share=0.85,
    close_probability=0.03,
    close_after_days=(75, 365),
    returning_order_share=0.75,
    changes_per_customer_day=0.001,
    move_share=0.4,
    segment_change_share=0.5,
)


@dataclass(frozen=True)
class Baskets:
    """What an order holds."""

    lines_per_order: tuple[float, ...]  # probability of 1, 2, .. lines (mean 2.22)
    units_per_line: tuple[float, ...]  # probability of 1, 2, .. units
    popularity_skew: float  # within a category, longer-listed products sell more (1: not at all)


BASKETS = Baskets(
    lines_per_order=(0.38, 0.27, 0.17, 0.11, 0.07),
    units_per_line=(0.74, 0.18, 0.05, 0.03),
    popularity_skew=1.4,
)


@dataclass(frozen=True)
class Catalogue:
    """When products launch, how their prices move and what they cost."""

    lead_days: int  # products on sale when the history starts were launched up to this long before
    launched_during_history_share: float
    reprice_every_days: float  # mean days between price-list changes of a product
    price_step_mean: float  # log change of a list price at a repricing: a slow upward creep...
    price_step_sigma: float  # ...with markdowns and raises around it
    cost_ratio_spread: tuple[float, float]  # a product's cost ratio, relative to its category's
    cost_drift_per_year: float  # unit costs creep up
    cost_noise: tuple[float, float]  # each price-list row's unit cost, relative to the drifted cost


CATALOGUE = Catalogue(
    lead_days=400,
    launched_during_history_share=0.25,
    reprice_every_days=120,
    price_step_mean=0.012,
    price_step_sigma=0.07,
    cost_ratio_spread=(0.9, 1.1),
    cost_drift_per_year=0.04,
    cost_noise=(0.98, 1.02),
)


@dataclass(frozen=True)
class Promotions:
    """Discount campaigns: deeper as growth slows, and a deeper one before the yearly peak."""

    depth_start: float  # typical discount rate while the shop is young...
    depth_end: float  # ...and once it has matured
    depth_spread: tuple[float, float]  # a promotion's rate, relative to the typical one
    rate_bounds: tuple[float, float]
    gap_days: tuple[float, float]  # between the starts of two promotions
    length_days: tuple[float, float]
    announced_days: tuple[float, float]  # created this long before they start
    cancelled_share: float  # called off before they start...
    cancelled_into_notice: tuple[float, float]  # ...this far into the time between announcement and start
    use_share_start: float  # orders that use a running promotion, while the shop is young...
    use_share_end: float  # ...and once it has matured
    peak_depth: float  # the campaign before the yearly peak discounts this much deeper
    peak_lead_days: int  # it starts this many days before the peak, at this hour (UTC)...
    peak_start_hour: int
    peak_length_days: int  # ...and runs this long


PROMOTIONS = Promotions(
    depth_start=0.05,
    depth_end=0.16,
    depth_spread=(0.75, 1.25),
    rate_bounds=(0.02, 0.60),
    gap_days=(5.0, 20.0),
    length_days=(3.0, 14.0),
    announced_days=(2, 21),
    cancelled_share=0.04,
    cancelled_into_notice=(0.2, 0.9),
    use_share_start=0.18,
    use_share_end=0.40,
    peak_depth=1.5,
    peak_lead_days=11,
    peak_start_hour=6,
    peak_length_days=12,
)


@dataclass(frozen=True)
class Payments:
    """Payment attempts: each is declined at its method's rate; after a decline the customer may retry."""

    first_attempt_seconds: tuple[int, int]  # after the order is placed
    retry_seconds: tuple[int, int]  # after the previous attempt
    retry_probability: float
    max_attempts: int
    bank_transfer_settle_days: tuple[float, float]  # bank transfers stay 'authorized' this long
    unpaid_cancel_days: tuple[float, float]  # after the last declined attempt, the order is cancelled


PAYMENTS = Payments(
    first_attempt_seconds=(10, 240),
    retry_seconds=(60, 7_200),
    retry_probability=0.7,
    max_attempts=3,
    bank_transfer_settle_days=(0.5, 3.0),
    unpaid_cancel_days=(1.0, 3.0),
)


@dataclass(frozen=True)
class Shipping:
    """From payment to the doorstep: where parcels leave from, when, how late, and what they cost."""

    main_center_share: float  # parcels sent from the region's main fulfillment center
    promised_days: tuple[int, int]  # whole days after payment, both ends included
    picking_minutes: int  # a parcel leaves at the earliest this long after payment...
    ships_after_promise_share: tuple[float, float]  # ...plus this share of the promised time
    early_share: tuple[float, float]  # an on-time parcel arrives this share of (promised - shipped) early
    late_min_hours: int  # a late parcel arrives at least this long after the promise...
    late_gamma_shape: int  # ...plus a gamma-distributed number of days (scale one day; a whole shape)
    cost_per_unit: float  # dollars per unit^cost_unit_exponent, on top of the region's base cost
    cost_unit_exponent: float
    cost_spread: tuple[float, float]  # a parcel's cost, relative to its tariff
    cancellation_rate: float  # paid orders cancelled before they ship...
    cancel_share_of_wait: tuple[float, float]  # ...this far into the wait from payment to shipping


SHIPPING = Shipping(
    main_center_share=0.7,
    promised_days=(2, 5),
    picking_minutes=10,
    ships_after_promise_share=(0.08, 0.35),
    early_share=(0.0, 0.65),
    late_min_hours=1,
    late_gamma_shape=2,
    cost_per_unit=1.1,
    cost_unit_exponent=0.8,
    cost_spread=(0.9, 1.15),
    cancellation_rate=0.04,
    cancel_share_of_wait=(0.05, 0.9),
)


@dataclass(frozen=True)
class Returns:
    """What comes back, how much of it, why, and how the return is handled."""

    delay_days: tuple[int, int]  # requested this long after delivery
    late_delivery_uplift: float  # customers whose parcel came late return more often...
    late_reason_share: float  # ...and this share of them say why
    max_probability: float
    full_return_share: float  # multi-unit lines sent back whole; the others return some of the units
    received_days: tuple[float, float]  # the parcel reaches the shop this long after the request...
    decided_days: tuple[float, float]  # ...and is refunded (or rejected) this long after that
    rejected_share: float


RETURNS = Returns(
    delay_days=(3, 45),
    late_delivery_uplift=1.8,
    late_reason_share=0.5,
    max_probability=0.95,
    full_return_share=0.75,
    received_days=(2.0, 12.0),
    decided_days=(0.5, 5.0),
    rejected_share=0.05,
)


def ground_truth() -> dict:
    """The planted signals, as written to the generation manifest."""
    return {
        "return_rate_by_category": {c.name: c.return_rate for c in CATEGORIES},
        "highest_return_rate_category": max(CATEGORIES, key=lambda c: c.return_rate).name,
        "late_pair": {"carrier": LATE_PAIR[0], "fulfillment_center": LATE_PAIR[1]},
        "late_pair_on_time_rate": LATE_PAIR_ON_TIME_RATE,
        "on_time_rate_by_carrier": {c.code: c.on_time_rate for c in CARRIERS},
        "decline_rate_by_payment_method": {m.name: m.decline_rate for m in PAYMENT_METHODS},
        "retry_probability": PAYMENTS.retry_probability,
        "return_delay_days": list(RETURNS.delay_days),
        "cancellation_rate": SHIPPING.cancellation_rate,
        "discount_depth": {"start": PROMOTIONS.depth_start, "end": PROMOTIONS.depth_end},
        "repeat_purchase": {
            "stop_probability_after_order": CUSTOMERS.stop_probability_after_order,
            "gap_median_days": CUSTOMERS.repeat_gap_median_days,
            "gap_sigma": CUSTOMERS.repeat_gap_sigma,
        },
        "weekly_profile": list(DEMAND.weekly_profile),
        "yearly_peak_day_of_year": DEMAND.yearly_peak_day,
        "categories": [asdict(c) for c in CATEGORIES],
    }
