"""The quality gate's checks, as data: what is checked, on which rows, how badly a failure counts.

Every check runs as SQL inside PostgreSQL through Great Expectations, on a query
asset bounded to what the run touched (``include/sql/quality/assets``): the
facts whose source rows changed, the candidate KPI tables, the reconciled days.
A check is either one of Great Expectations' own expectations, or a query that
returns the rows breaking a rule (``include/sql/quality/checks``; it reads the
asset's rows as ``batch``).

``critical`` failures block publication and fail the run; ``warning`` failures
only alert.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Severity = Literal["critical", "warning"]
CRITICAL: Severity = "critical"
WARNING: Severity = "warning"


@dataclass(frozen=True)
class Check:
    name: str
    suite: str  # facts, kpis or reconciliation
    asset: str  # include/sql/quality/assets/<asset>.sql
    severity: Severity
    description: str
    expectation: str  # a Great Expectations expectation class
    arguments: dict[str, Any] = field(default_factory=dict)

    @property
    def rows_query(self) -> str | None:
        """For UnexpectedRowsExpectation: the SQL file returning the rows that break the rule."""
        return f"quality/checks/{self.name}.sql" if self.expectation == "UnexpectedRowsExpectation" else None


def _rows(name: str, suite: str, asset: str, severity: Severity, description: str) -> Check:
    return Check(name, suite, asset, severity, description, "UnexpectedRowsExpectation")


def _between(
    name: str, suite: str, asset: str, severity: Severity, description: str, column: str, low=None, high=None
) -> Check:
    return Check(
        name,
        suite,
        asset,
        severity,
        description,
        "ExpectColumnValuesToBeBetween",
        {"column": column, "min_value": low, "max_value": high},
    )


FACTS, KPIS, RECONCILIATION = "facts", "kpis", "reconciliation"
LINES, PAYMENTS, SHIPMENTS, RETURNS = (
    "checked_order_lines",
    "checked_payment_attempts",
    "checked_shipments",
    "checked_return_lines",
)
KPI_ROWS, SHOP_KPI_ROWS, KPI_DAYS = "candidate_kpis", "candidate_kpis_whole_shop", "candidate_kpi_days"
CUBE_DAYS = "candidate_kpi_cube_days"

# How a row of each asset is found again: the keys an alert's sample shows first.
ASSET_KEYS: dict[str, tuple[str, ...]] = {
    LINES: ("order_item_id", "order_id", "line_number"),
    PAYMENTS: ("payment_id", "order_id", "attempt_number"),
    SHIPMENTS: ("shipment_id", "order_id"),
    RETURNS: ("return_id", "order_item_id"),
    KPI_ROWS: ("grain", "period_start", "dimension_name", "dimension_value"),
    SHOP_KPI_ROWS: ("grain", "period_start", "dimension_name", "dimension_value"),
    KPI_DAYS: ("period_start",),
    CUBE_DAYS: ("period_start",),
    "reconciled_days": ("order_date", "region"),
}

RATE_COLUMNS = (
    "discount_rate",
    "return_rate_units",
    "return_rate_value",
    "on_time_delivery_pct",
    "authorization_rate_attempts",
    "decline_rate_attempts",
    "authorization_rate_orders",
    "decline_rate_orders",
)

CHECKS: tuple[Check, ...] = (
    # Facts: grain, keys, amounts.
    _rows("order_line_grain_is_unique", FACTS, LINES, CRITICAL, "one order line per order and line number"),
    _rows(
        "payment_attempt_grain_is_unique", FACTS, PAYMENTS, CRITICAL, "one payment attempt per order and attempt number"
    ),
    _rows("order_line_keys_resolve", FACTS, LINES, CRITICAL, "every key of an order line finds its dimension member"),
    _rows(
        "payment_attempt_keys_resolve", FACTS, PAYMENTS, CRITICAL, "every key of a payment finds its dimension member"
    ),
    _rows("shipment_keys_resolve", FACTS, SHIPMENTS, CRITICAL, "every key of a shipment finds its dimension member"),
    _rows(
        "return_line_keys_resolve",
        FACTS,
        RETURNS,
        CRITICAL,
        "every key of a return finds its dimension member and its order line",
    ),
    _between("order_line_gross_not_negative", FACTS, LINES, CRITICAL, "gross amount ≥ 0", "gross_amount", 0),
    _between("order_line_discount_not_negative", FACTS, LINES, CRITICAL, "discount ≥ 0", "discount_amount", 0),
    _between("order_line_net_not_negative", FACTS, LINES, CRITICAL, "net amount ≥ 0", "net_amount", 0),
    _between("order_line_cost_not_negative", FACTS, LINES, CRITICAL, "cost ≥ 0", "cost_amount", 0),
    _between("order_line_quantity_positive", FACTS, LINES, CRITICAL, "quantity ≥ 1", "quantity", 1),
    _rows("order_line_net_is_gross_minus_discount", FACTS, LINES, CRITICAL, "net amount = gross amount − discount"),
    _between("payment_amount_not_negative", FACTS, PAYMENTS, CRITICAL, "payment amount ≥ 0", "amount", 0),
    _between("shipping_cost_not_negative", FACTS, SHIPMENTS, CRITICAL, "shipping cost ≥ 0", "shipping_cost", 0),
    _between("refund_not_negative", FACTS, RETURNS, CRITICAL, "refund ≥ 0", "refund_amount", 0),
    _between("return_quantity_positive", FACTS, RETURNS, CRITICAL, "returned quantity ≥ 1", "quantity", 1),
    Check(
        "order_line_cost_known",
        FACTS,
        LINES,
        WARNING,
        "the product's cost at order time is known (margin is overstated otherwise)",
        "ExpectColumnValuesToNotBeNull",
        {"column": "unit_cost"},
    ),
    _rows("order_line_on_known_members", FACTS, LINES, WARNING, "order lines do not fall back on unknown members"),
    _rows("shipment_on_known_members", FACTS, SHIPMENTS, WARNING, "shipments do not fall back on unknown members"),
    # KPIs: the candidate tables about to be published.
    *(
        _between(f"{column}_is_a_rate", KPIS, KPI_ROWS, CRITICAL, f"{column} within [0, 1]", column, 0, 1)
        for column in RATE_COLUMNS
    ),
    _between("net_sales_not_negative", KPIS, KPI_ROWS, CRITICAL, "net sales ≥ 0", "net_sales", 0),
    _between(
        "shop_margin_is_sane",
        KPIS,
        SHOP_KPI_ROWS,
        CRITICAL,
        "whole-shop gross margin % within [0, 0.9]",
        "gross_margin_pct",
        0,
        0.9,
    ),
    _between(
        "segment_margin_is_sane",
        KPIS,
        KPI_ROWS,
        WARNING,
        "gross margin % of every day, month and segment within [-1, 0.95]",
        "gross_margin_pct",
        -1,
        0.95,
    ),
    _rows(
        "every_day_has_sales",
        KPIS,
        KPI_DAYS,
        CRITICAL,
        "no day without sales between the first and the last that the shop's own pace makes improbable: "
        "orders taken as Poisson at the rate of the same weekday over the 8 weeks before (else the 28 days "
        "before, else the whole history), a zero day fails when its chance is below 1 in 1,000",
    ),
    _rows(
        "net_sales_within_daily_band",
        KPIS,
        KPI_DAYS,
        CRITICAL,
        "each of the last 7 closed days: net sales within the band the shop's history draws, the wider of "
        "½× to 2× the reference median (the same weekday over the 8 weeks before, at least 4, else the 28 days "
        "before, zero days included) and the mean day ± 5 standard deviations of a compound-Poisson day "
        "(orders a day and order values of the 28 days before)",
    ),
    _rows(
        "published_kpis_match_definition",
        KPIS,
        KPI_ROWS,
        CRITICAL,
        "every KPI column equals the KPI definition: on 7 days recomputed from the facts (the newest 3 this build"
        " recomputed, 2 more of them and 2 of any day at random), and on every day and month of the months it"
        " rewrote, recomputed from the kept daily parts",
    ),
    _rows(
        "cube_adds_up_to_shop_kpis",
        KPIS,
        CUBE_DAYS,
        CRITICAL,
        "every day of the daily cube, added up over channel, region and category, equals the whole shop's daily"
        " KPIs (parts, and the ratios re-aggregated from them)",
    ),
    _rows("newest_order_is_recent", KPIS, KPI_DAYS, WARNING, "the newest sales day is at most a day before the cutoff"),
    # Reconciliation: the warehouse holds what the source holds.
    _rows(
        "warehouse_matches_source",
        RECONCILIATION,
        "reconciled_days",
        CRITICAL,
        "per changed or closed day and customer region: lines, cancellations, amounts of the lines and of those"
        " kept, and refunds equal the source's; facts changed but nothing compared fails",
    ),
)

# The analytics tables a run of globalcart_analytics is about to publish.
ANALYTICS = "analytics"
RFM, CHURN, COHORTS = "candidate_customer_rfm", "candidate_churn_rates", "candidate_cohort_retention"
LEAKAGE, ON_TIME = "candidate_profit_leakage", "candidate_sla_on_time"
BACKTEST, FORECAST = "candidate_forecast_backtest", "candidate_revenue_forecast"
CHURN_WINDOWS = "candidate_churn_window_backtest"
DECLINES, RETURNS = "candidate_payment_declines", "candidate_return_timing"

ASSET_KEYS |= {
    RFM: ("customer_id",),
    CHURN: ("dimension_name", "dimension_value"),
    COHORTS: ("cohort_month", "months_since_first"),
    LEAKAGE: ("dimension_name", "dimension_value"),
    ON_TIME: ("dimension_name", "dimension_value"),
    BACKTEST: ("model",),
    FORECAST: ("model", "period_start"),
    CHURN_WINDOWS: ("churn_window_days", "checked_as_of"),
    DECLINES: ("channel", "region", "attempt_date", "payment_method", "provider"),
    RETURNS: ("channel", "region", "category", "requested_date", "reason", "days_after_delivery"),
}

ANALYTICS_CHECKS: tuple[Check, ...] = (
    *(
        _between(f"rfm_{score}_is_1_to_5", ANALYTICS, RFM, CRITICAL, f"{score} within [1, 5]", score, 1, 5)
        for score in ("r_score", "f_score", "m_score")
    ),
    _rows(
        "rfm_covers_every_customer",
        ANALYTICS,
        RFM,
        CRITICAL,
        "one RFM row per customer with a kept order by the as-of date, none missing or extra",
    ),
    _between("churn_rate_is_a_rate", ANALYTICS, CHURN, CRITICAL, "churn rate within [0, 1]", "churn_rate", 0, 1),
    _between(
        "churn_came_back_share_is_a_rate",
        ANALYTICS,
        CHURN_WINDOWS,
        CRITICAL,
        "share of customers called churned at earlier as-of dates who came back, within [0, 1]",
        "came_back_share",
        0,
        1,
    ),
    _between(
        "cohort_retention_is_a_rate",
        ANALYTICS,
        COHORTS,
        CRITICAL,
        "customer retention within [0, 1]",
        "customer_retention_pct",
        0,
        1,
    ),
    _rows("cohort_first_month_is_whole", ANALYTICS, COHORTS, CRITICAL, "every customer is active in their first month"),
    _rows("leakage_not_negative", ANALYTICS, LEAKAGE, CRITICAL, "every leakage driver and gross sales ≥ 0"),
    _rows(
        "leakage_dimensions_add_up",
        ANALYTICS,
        LEAKAGE,
        CRITICAL,
        "gross sales and leakage by each dimension add up to the whole shop's",
    ),
    _rows(
        "payment_declines_add_up",
        ANALYTICS,
        DECLINES,
        CRITICAL,
        "declines ≤ attempts on every row, and the whole-shop rows (any channel, any region) are the sums of"
        " the rows they roll up",
    ),
    _rows(
        "return_timing_adds_up",
        ANALYTICS,
        RETURNS,
        CRITICAL,
        "every row returned something, no refund is negative, and the whole-shop rows are the sums of the rows"
        " they roll up",
    ),
    _between("on_time_pct_is_a_rate", ANALYTICS, ON_TIME, CRITICAL, "on-time % within [0, 1]", "on_time_pct", 0, 1),
    _rows(
        "forecast_backtest_is_sane",
        ANALYTICS,
        BACKTEST,
        CRITICAL,
        "backtest errors ≥ 0, sMAPE ≤ 2, and exactly one chosen model",
    ),
    _rows(
        "forecast_intervals_are_ordered",
        ANALYTICS,
        FORECAST,
        CRITICAL,
        "0 ≤ lower 95% ≤ lower 80% ≤ forecast ≤ upper 80% ≤ upper 95%, only the chosen model's rows chosen",
    ),
    _rows(
        "forecast_chosen_model_is_usable",
        ANALYTICS,
        FORECAST,
        CRITICAL,
        "the chosen model's forecast has not collapsed (clipped to zero) while another model's has not",
    ),
)
