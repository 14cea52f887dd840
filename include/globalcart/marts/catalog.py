"""What each KPI column of `kpi.kpi_values` means, in words.

The formulas themselves live in SQL, in the definition
include/sql/warehouse/definitions/10_kpi.kpi_values_between.sql; this catalog
explains them. A test holds the two to the same set of KPIs, and the KPI table in
docs/kpis.md is rendered from it (`make docs`).
"""

from __future__ import annotations

from dataclasses import dataclass

ORDER_DATE = "order date"
ALL_SALES_DIMENSIONS = "category, region, channel, carrier, fulfillment center"


@dataclass(frozen=True)
class Kpi:
    name: str
    label: str
    unit: str
    formula: str
    attributed_to: str
    dimensions: str


CATALOG: tuple[Kpi, ...] = (
    Kpi(
        "gross_sales",
        "Gross sales",
        "currency",
        "quantity × unit price of the lines of orders not cancelled",
        ORDER_DATE,
        ALL_SALES_DIMENSIONS,
    ),
    Kpi("discounts", "Discounts", "currency", "discounts given on those lines", ORDER_DATE, ALL_SALES_DIMENSIONS),
    Kpi(
        "returns_amount",
        "Returns",
        "currency",
        "returned units valued at what the customer paid for them (returns not rejected)",
        "order date of the returned line",
        ALL_SALES_DIMENSIONS,
    ),
    Kpi("net_sales", "Net sales", "currency", "gross sales − discounts − returns", ORDER_DATE, ALL_SALES_DIMENSIONS),
    Kpi(
        "cost_of_goods",
        "Cost of goods",
        "currency",
        "unit cost valid at order time × units kept (returned units go back to stock)",
        ORDER_DATE,
        ALL_SALES_DIMENSIONS,
    ),
    Kpi("gross_margin", "Gross margin", "currency", "net sales − cost of goods", ORDER_DATE, ALL_SALES_DIMENSIONS),
    Kpi("gross_margin_pct", "Gross margin %", "ratio", "gross margin ÷ net sales", ORDER_DATE, ALL_SALES_DIMENSIONS),
    Kpi(
        "orders",
        "Orders",
        "count",
        "orders not cancelled (by category: orders with at least one line in it)",
        ORDER_DATE,
        ALL_SALES_DIMENSIONS,
    ),
    Kpi("units", "Units", "count", "units ordered on orders not cancelled", ORDER_DATE, ALL_SALES_DIMENSIONS),
    Kpi(
        "average_order_value",
        "Average order value",
        "currency",
        "(gross sales − discounts) ÷ orders",
        ORDER_DATE,
        ALL_SALES_DIMENSIONS,
    ),
    Kpi("discount_rate", "Discount rate", "ratio", "discounts ÷ gross sales", ORDER_DATE, ALL_SALES_DIMENSIONS),
    Kpi(
        "returned_units",
        "Returned units",
        "count",
        "units on returns not rejected",
        "order date of the returned line",
        ALL_SALES_DIMENSIONS,
    ),
    Kpi(
        "return_rate_units",
        "Return rate (units)",
        "ratio",
        "returned units ÷ units",
        "order date of the returned line",
        ALL_SALES_DIMENSIONS,
    ),
    Kpi(
        "return_rate_value",
        "Return rate (value)",
        "ratio",
        "returns ÷ (gross sales − discounts)",
        "order date of the returned line",
        ALL_SALES_DIMENSIONS,
    ),
    Kpi(
        "refunds",
        "Refunds",
        "currency",
        "money refunded on returns so far",
        "order date of the returned line",
        ALL_SALES_DIMENSIONS,
    ),
    Kpi(
        "shipping_cost",
        "Shipping cost",
        "currency",
        "carrier cost of the order's shipment, shared over its lines by gross amount",
        ORDER_DATE,
        ALL_SALES_DIMENSIONS,
    ),
    Kpi(
        "shipping_cost_share",
        "Shipping cost share",
        "ratio",
        "shipping cost ÷ net sales",
        ORDER_DATE,
        ALL_SALES_DIMENSIONS,
    ),
    Kpi(
        "deliveries",
        "Deliveries",
        "count",
        "shipments delivered",
        "delivery date",
        "region, carrier, fulfillment center",
    ),
    Kpi(
        "on_time_delivery_pct",
        "On-time delivery %",
        "ratio",
        "deliveries on or before the promised time ÷ deliveries",
        "delivery date",
        "region, carrier, fulfillment center",
    ),
    Kpi(
        "average_days_to_deliver",
        "Average days to deliver",
        "days",
        "mean days from shipping to delivery",
        "delivery date",
        "region, carrier, fulfillment center",
    ),
    Kpi(
        "payment_attempts",
        "Payment attempts",
        "count",
        "payment attempts of orders whose first attempt was that day",
        "date of the order's first payment attempt",
        "region, channel",
    ),
    Kpi(
        "authorization_rate_attempts",
        "Authorization rate (attempts)",
        "ratio",
        "attempts authorized (later captured or refunded too) ÷ attempts",
        "date of the order's first payment attempt",
        "region, channel",
    ),
    Kpi(
        "decline_rate_attempts",
        "Decline rate (attempts)",
        "ratio",
        "attempts declined ÷ attempts",
        "date of the order's first payment attempt",
        "region, channel",
    ),
    Kpi(
        "paying_orders",
        "Orders that tried to pay",
        "count",
        "orders with at least one payment attempt",
        "date of the order's first payment attempt",
        "region, channel",
    ),
    Kpi(
        "authorization_rate_orders",
        "Authorization rate (orders)",
        "ratio",
        "orders with an authorized attempt ÷ orders that tried to pay",
        "date of the order's first payment attempt",
        "region, channel",
    ),
    Kpi(
        "decline_rate_orders",
        "Decline rate (orders)",
        "ratio",
        "orders with at least one declined attempt ÷ orders that tried to pay",
        "date of the order's first payment attempt",
        "region, channel",
    ),
    Kpi(
        "lines_without_cost",
        "Lines without cost",
        "count",
        "order lines whose product had no known cost at order time (their margin is overstated)",
        ORDER_DATE,
        ALL_SALES_DIMENSIONS,
    ),
)

# The columns of kpi.kpi_values that say where a row belongs rather than measure something.
GRAIN_COLUMNS: tuple[str, ...] = ("grain", "period_start", "dimension_name", "dimension_value")


def catalog_rows() -> list[dict[str, str]]:
    return [kpi.__dict__.copy() for kpi in CATALOG]


def markdown_table() -> str:
    """The catalog as docs/kpis.md shows it."""
    lines = [
        "| KPI | unit | formula | attributed to | cut by (monthly) |",
        "|---|---|---|---|---|",
    ]
    for kpi in CATALOG:
        lines.append(f"| `{kpi.name}` | {kpi.unit} | {kpi.formula} | {kpi.attributed_to} | {kpi.dimensions} |")
    return "\n".join(lines)


# What a BI tool finds in marts: every published table, what it holds and what each of
# its columns means. Publication writes them as PostgreSQL comments (COMMENT ON) on
# the tables it swaps in, so BI tools show the definition next to the field.

GRAIN_DEFINITIONS: dict[str, str] = {
    "grain": "day or month: the period a row covers",
    "period_start": "first day of the period (the day itself for daily rows)",
    "dimension_name": "the dimension the row is cut by (all: the whole shop)",
    "dimension_value": "the member of that dimension (all: the whole shop)",
}

# The daily cube's columns that are not KPI names of the catalog; the other parts
# share their KPI's formula (gross_sales, units, ...).
CUBE_DEFINITIONS: dict[str, str] = {
    "period_start": "the day the parts count on (each part on its KPI's attribution date)",
    "channel": "sales channel of the order (all: a part not cut by channel, deliveries)",
    "region": "region of the customer",
    "category": "product category of the line (all: a part not cut by category, deliveries and payments)",
    "orders": "orders not cancelled, each counted once, on the category of its first line (adds up over"
    " every dimension)",
    "orders_in_category": "orders with at least one line in the category (the by-category order count; does"
    " not add up over categories)",
    "deliveries_on_time": "deliveries on or before the promised time (numerator of on-time delivery %)",
    "days_to_deliver": "days from shipping to delivery, summed over deliveries (÷ deliveries = average)",
    "declined_attempts": "payment attempts declined (numerator of the attempt decline rate)",
    "authorized_attempts": "payment attempts authorized, later captured or refunded too",
    "authorized_orders": "orders with an authorized attempt (numerator of the order authorization rate)",
    "orders_with_decline": "orders with at least one declined attempt (numerator of the order decline rate)",
}

_AS_OF = "the date the analysis was computed as of (its last closed day)"
_DIMENSION_NAME = "the dimension the row is cut by (all: the whole shop)"
_DIMENSION_VALUE = "the member of that dimension (all: the whole shop)"
_RUN_ID = "the run that published the row"


@dataclass(frozen=True)
class PublishedTable:
    name: str
    description: str
    columns: dict[str, str]


def _kpi_columns(grain_note: str) -> dict[str, str]:
    return {
        **GRAIN_DEFINITIONS,
        "grain": grain_note,
        **{kpi.name: f"{kpi.label} ({kpi.unit}): {kpi.formula}; by {kpi.attributed_to}" for kpi in CATALOG},
    }


def _cube_columns() -> dict[str, str]:
    parts = {kpi.name: f"{kpi.label} ({kpi.unit}): {kpi.formula}; by {kpi.attributed_to}" for kpi in CATALOG}
    names = (
        "period_start channel region category orders orders_in_category units gross_sales discounts returned_units"
        " returns_amount refunds cost_of_goods lines_without_cost shipping_cost deliveries deliveries_on_time"
        " days_to_deliver payment_attempts declined_attempts authorized_attempts paying_orders authorized_orders"
        " orders_with_decline"
    ).split()
    return {name: CUBE_DEFINITIONS.get(name) or parts[name] for name in names}


PUBLISHED_TABLES: tuple[PublishedTable, ...] = (
    PublishedTable(
        "kpi_daily",
        "Every KPI per day, for the whole shop and by each dimension; ratios from the day's parts",
        _kpi_columns("day"),
    ),
    PublishedTable(
        "kpi_monthly",
        "Every KPI per month, for the whole shop and by each dimension; ratios from the month's parts, never"
        " averaged from days",
        _kpi_columns("month"),
    ),
    PublishedTable(
        "kpi_cube_daily",
        "The additive parts of every KPI per day × channel × region × category: sum the parts over any filter"
        " and period, then apply the ratio's formula (docs/bi.md); never average the ratios",
        _cube_columns(),
    ),
    PublishedTable(
        "kpi_cube_rollup",
        "The daily cube summed for every combination of channel, region and category, where 'any' means every"
        " member: one row per day for any filter (the dashboards read it); the same parts and formulas as"
        " kpi_cube_daily",
        {
            **_cube_columns(),
            "channel": "sales channel, or any: every channel (and the parts no channel cuts)",
            "region": "customer region, or any: every region",
            "category": "product category, or any: every category (and the parts no category cuts)",
        },
    ),
    PublishedTable(
        "kpi_catalog",
        "What each KPI column means, in words",
        {
            "kpi_name": "the KPI's column name in kpi_daily and kpi_monthly",
            "label": "the KPI's name for people",
            "unit": "currency, ratio (0.25 = 25%), count or days",
            "formula": "how it is computed, in words",
            "attributed_to": "the date a fact counts on",
            "dimensions": "the dimensions the KPI is cut by",
        },
    ),
    PublishedTable(
        "analytics_status",
        "What each analysis did in the published analytics run: ok, simplified (and why) or skipped (and why)",
        {
            "analysis": "the analysis",
            "status": "ok, simplified or skipped",
            "reason": "why it was simplified or skipped",
            "row_count": "rows it published",
            "as_of": _AS_OF,
            "run_id": _RUN_ID,
            "computed_at": "when it was computed",
        },
    ),
    PublishedTable(
        "rfm_segment_definitions",
        "The RFM segments: the recency score and the mean of the frequency and monetary scores that place a"
        " customer in each",
        {
            "segment": "the segment",
            "r_score_min": "lowest recency score in the segment",
            "r_score_max": "highest recency score in the segment",
            "fm_score_min": "lowest frequency-monetary score in the segment",
            "fm_score_max": "highest frequency-monetary score in the segment",
            "meaning": "what its customers do",
            "suggested_action": "what marketing may do about them",
        },
    ),
    PublishedTable(
        "customer_rfm",
        "One row per customer with a kept (not cancelled) order by the as-of date: RFM scores and segment",
        {
            "customer_id": "the customer (source id)",
            "first_order_date": "date of the first kept order",
            "last_order_date": "date of the last kept order",
            "recency_days": "days from the last kept order to the as-of date",
            "frequency": "kept orders",
            "monetary": "net sales of the kept orders (after discounts and returns)",
            "r_score": "recency score, 1 (long ago) to 5 (recent), by quintile",
            "f_score": "frequency score, 1 to 5, by quintile",
            "m_score": "monetary score, 1 to 5, by quintile",
            "fm_score": "mean of the frequency and monetary scores, rounded half up",
            "rfm_cell": "the recency, frequency and monetary scores together",
            "segment": "RFM segment (rfm_segment_definitions)",
            "acquisition_cohort": "month of the first kept order",
            "acquisition_channel": "channel of the first kept order",
            "customer_segment": "the customer's segment in the shop",
            "is_churned": "no kept order within the churn window before the as-of date",
            "as_of": _AS_OF,
        },
    ),
    PublishedTable(
        "rfm_segment_summary",
        "Customers, spend and churn per RFM segment",
        {
            "segment": "RFM segment",
            "customers": "customers in it",
            "share_of_customers": "customers ÷ all customers",
            "average_recency_days": "mean recency in days",
            "average_frequency": "mean kept orders per customer",
            "average_monetary": "mean net sales per customer",
            "total_monetary": "net sales of its customers",
            "share_of_monetary": "its net sales ÷ all customers' net sales",
            "churn_rate": "churned customers ÷ customers",
        },
    ),
    PublishedTable(
        "churn_rates",
        "Churn rate (no kept order within the churn window) for the whole shop and by dimension",
        {
            "dimension_name": _DIMENSION_NAME,
            "dimension_value": _DIMENSION_VALUE,
            "customers": "customers with a kept order by the as-of date",
            "churned_customers": "of them, those without a kept order within the churn window",
            "churn_rate": "churned customers ÷ customers",
        },
    ),
    PublishedTable(
        "repeat_purchase_gaps",
        "The evidence for the churn window: how long customers take to order again",
        {
            "bucket_order": "order of the bucket",
            "gap_from_days": "the bucket's shortest gap, in days",
            "gap_to_days": "the bucket's longest gap, in days",
            "label": "the bucket's name",
            "repeat_purchases": "repeat orders with a gap in the bucket",
            "share": "repeat orders in the bucket ÷ all repeat orders",
            "cumulative_share": "share of repeat orders with a gap up to this bucket",
        },
    ),
    PublishedTable(
        "churn_evidence",
        "The churn window and the figures behind it",
        {
            "as_of": _AS_OF,
            "churn_window_days": "days without a kept order after which a customer is churned",
            "customers": "customers with a kept order by the as-of date",
            "churned_customers": "of them, churned",
            "churn_rate": "churned customers ÷ customers",
            "repeat_purchases": "repeat orders seen",
            "median_gap_days": "median days between a customer's orders",
            "p75_gap_days": "75th percentile of the gaps, in days",
            "p90_gap_days": "90th percentile of the gaps, in days",
            "p95_gap_days": "95th percentile of the gaps, in days",
            "share_within_window": "repeat orders with a gap within the window ÷ repeat orders",
            "customers_only_cancelled": "customers whose every order was cancelled (not counted)",
            "suggested_window_days": "the window the repeat gaps and the backtest suggest",
            "came_back_share": "of customers the window called churned at earlier as-of dates, the share who came back",
        },
    ),
    PublishedTable(
        "churn_window_backtest",
        "How often each candidate churn window called customers churned who then came back",
        {
            "as_of": _AS_OF,
            "churn_window_days": "the candidate window, in days",
            "checked_as_of": "the earlier as-of date it was tried at",
            "follow_up_days": "days watched after it for a return",
            "customers": "customers with a kept order by then",
            "called_churned": "of them, called churned by the window",
            "came_back": "of those, who ordered again in the follow-up",
            "came_back_share": "came back ÷ called churned",
            "is_chosen_window": "the window churn uses",
        },
    ),
    PublishedTable(
        "cohort_retention",
        "Monthly acquisition cohorts by months since the first kept order: customers and net sales retained",
        {
            "cohort_month": "month of the customers' first kept order",
            "months_since_first": "months after the cohort month (0: the cohort month)",
            "cohort_customers": "customers in the cohort",
            "active_customers": "of them, with a kept order in this month",
            "customer_retention_pct": "active customers ÷ cohort customers",
            "net_sales": "the cohort's net sales in this month",
            "revenue_retention_pct": "this month's net sales ÷ the cohort month's",
        },
    ),
    PublishedTable(
        "profit_leakage",
        "Money lost per driver (discounts, refunds, shipping, declined payments), whole shop and by dimension;"
        " refunds after a late delivery are part of refunds and not counted twice",
        {
            "dimension_name": _DIMENSION_NAME,
            "dimension_value": _DIMENSION_VALUE,
            "gross_sales": "gross sales",
            "discounts": "discounts given",
            "refunds": "money refunded on returns",
            "refunds_after_late_delivery": "refunds on orders delivered late (part of refunds)",
            "shipping_cost": "carrier cost of shipments",
            "declined_payments": "amount of orders whose every payment attempt was declined",
            "total_leakage": "discounts + refunds + shipping cost + declined payments",
            "leakage_pct_of_gross": "total leakage ÷ gross sales",
        },
    ),
    PublishedTable(
        "leakage_top_categories",
        "The categories losing the most money, with their largest driver",
        {
            "leakage_rank": "1: the category losing the most",
            "category": "product category",
            "gross_sales": "gross sales",
            "total_leakage": "money lost over every driver",
            "leakage_pct_of_gross": "total leakage ÷ gross sales",
            "largest_driver": "the driver losing the most",
            "largest_driver_amount": "what that driver lost",
            "refund_pct_of_gross": "refunds ÷ gross sales",
        },
    ),
    PublishedTable(
        "payment_declines",
        "Payment attempts and declines per attempt day, channel, region, payment method and provider, channel and"
        " region also rolled up to any: the decline rate over a filter is sum(declined_attempts) ÷"
        " sum(payment_attempts) over its rows",
        {
            "attempt_date": "the day of the attempt",
            "channel": "sales channel of the order, or any: every channel",
            "region": "customer region when the order was placed, or any: every region",
            "payment_method": "payment method of the attempt",
            "provider": "payment provider that answered",
            "payment_attempts": "payment attempts",
            "declined_attempts": "of them, declined",
            "declined_amount": "amount of the declined attempts",
        },
    ),
    PublishedTable(
        "return_timing",
        "Returns per request day, channel, region, category, reason and how long after delivery they were asked"
        " for; channel, region and category also rolled up to any",
        {
            "requested_date": "the day the return was asked for",
            "channel": "sales channel of the order, or any: every channel",
            "region": "customer region when the return was asked for, or any: every region",
            "category": "product category, or any: every category",
            "reason": "return reason the customer gave",
            "days_after_delivery": "days from delivery to the request, bucketed; not delivered: asked before delivery",
            "bucket_order": "the bucket's place, for sorting",
            "returned_lines": "returned order lines",
            "returned_units": "returned units",
            "refund_amount": "money refunded (or to refund) on them",
        },
    ),
    PublishedTable(
        "sla_on_time",
        "On-time delivery by carrier, fulfillment center, region and carrier × center",
        {
            "dimension_name": "the cut: carrier, fulfillment_center, region or carrier_x_center",
            "dimension_value": "the member of that cut",
            "carrier": "the carrier (carrier cuts)",
            "fulfillment_center": "the fulfillment center (center cuts)",
            "region": "the customer region (region cut)",
            "deliveries": "shipments delivered",
            "on_time_deliveries": "of them, on or before the promised time",
            "on_time_pct": "on-time deliveries ÷ deliveries",
            "average_days_late": "mean days late of the late deliveries",
            "worst_rank": "1: the worst on-time % in its cut",
        },
    ),
    PublishedTable(
        "sla_lateness_drivers",
        "Logistic regression of a late delivery on carrier, center, region, weekday and order size",
        {
            "term": "the model's term",
            "variable": "the variable",
            "level": "the variable's level",
            "reference_level": "the level it is compared with",
            "coefficient": "log-odds of being late against the reference",
            "std_error": "standard error of the coefficient",
            "odds_ratio": "odds of being late against the reference (1: no difference)",
            "odds_ratio_lower_95": "lower end of the odds ratio's 95% interval",
            "odds_ratio_upper_95": "upper end of the odds ratio's 95% interval",
            "p_value": "p-value of the coefficient",
        },
    ),
    PublishedTable(
        "forecast_backtest",
        "The net revenue forecast models' rolling-origin backtest (lower errors are better)",
        {
            "model": "the forecast model",
            "folds": "backtest folds",
            "horizon_days": "days forecast per fold",
            "mae": "mean absolute error of daily net sales",
            "smape": "symmetric mean absolute percentage error",
            "mase": "mean absolute scaled error (1: as good as the seasonal naive forecast)",
            "is_chosen": "the model the published forecast uses",
        },
    ),
    PublishedTable(
        "revenue_forecast",
        "Daily net revenue forecast per model with 80% and 95% intervals",
        {
            "model": "the forecast model",
            "period_start": "the forecast day",
            "forecast": "forecast net sales",
            "lower_80": "lower end of the 80% interval",
            "upper_80": "upper end of the 80% interval",
            "lower_95": "lower end of the 95% interval",
            "upper_95": "upper end of the 95% interval",
            "is_chosen": "the model the backtest chose",
            "is_collapsed": "the model's forecast collapsed (clipped to zero): not usable",
            "collapse_reason": "why it is marked collapsed",
        },
    ),
    PublishedTable(
        "publication_log",
        "Every quality-gate decision: which publication (kpis or analytics), published or blocked, and why; live",
        {
            "run_id": "the run the gate judged",
            "publication": "kpis or analytics",
            "outcome": "published, or blocked by a failed critical check",
            "failed_critical": "the critical checks that failed (they block)",
            "failed_warning": "the warning checks that failed (they alert only)",
            "kpi_daily_rows": "rows of marts.kpi_daily after the publication",
            "kpi_monthly_rows": "rows of marts.kpi_monthly after the publication",
            "decided_at": "when the gate decided",
        },
    ),
    PublishedTable(
        "source_watermarks",
        "How far each source table is loaded: every committed source row updated before high_watermark is in the"
        " warehouse; live",
        {
            "table_name": "the source table",
            "high_watermark": "the source's updated_at up to which the warehouse is complete",
            "run_id": "the run that advanced it",
            "advanced_at": "when it advanced",
        },
    ),
    PublishedTable(
        "load_runs",
        "What each run did with the rows it extracted from each source table; live",
        {
            "run_id": "the run",
            "table_name": "the source table",
            "extracted_rows": "rows read from the source",
            "inserted_rows": "new rows merged in",
            "updated_rows": "rows merged over older versions",
            "ignored_stale_rows": "rows not newer than the warehouse's version",
            "rejected_rows": "rows refused, kept with a reason in audit.rejected_rows",
            "loaded_at": "when the merge ran",
        },
    ),
    PublishedTable(
        "quality_results",
        "Each quality-gate check of each run: passed or failed, how many rows broke it, its Data Docs page; live",
        {
            "run_id": "the run checked",
            "check_name": "the check (docs/quality-gate.md)",
            "suite": "the set of rows checked",
            "severity": "critical (blocks publication) or warning (alerts only)",
            "description": "what the check asserts",
            "success": "the check passed",
            "unexpected_count": "rows that broke it",
            "errored": "the check could not run (the error is in audit.quality_results)",
            "data_docs": "its Data Docs page, relative to the Data Docs folder",
            "checked_at": "when it ran",
        },
    ),
)


def table_comments() -> list[dict[str, object]]:
    """The comments publication writes: one entry per published table, with its columns'."""
    return [{"table": t.name, "comment": t.description, "columns": t.columns} for t in PUBLISHED_TABLES]
