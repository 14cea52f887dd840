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
