"""Ways to compare warehouses: the star schema by business keys, and a full rebuild to compare with."""

from __future__ import annotations

from globalcart import settings
from tests.support.stack import Stack, scratch_database

# The star schema by business keys: what a full rebuild from the same source must also give.
# Surrogate keys and load bookkeeping differ between the two by design and are left out.
CONTENT_QUERIES = {
    "fct_order_line": """
        select f.order_item_id, f.order_id, f.line_number, f.order_date_key, f.ordered_at, c.customer_id,
               p.product_id, ch.channel_code, pr.promotion_id, f.order_status, f.is_cancelled, f.quantity,
               f.unit_price, f.gross_amount, f.discount_amount, f.net_amount, f.unit_cost, f.cost_amount
        from dw.fct_order_line f
        join dw.dim_customer c using (customer_key) join dw.dim_product p using (product_key)
        join dw.dim_channel ch using (channel_key) join dw.dim_promotion pr using (promotion_key)
        order by 1""",
    "fct_payment_attempt": """
        select f.payment_id, f.order_id, f.attempt_date_key, c.customer_id, ch.channel_code, m.payment_method_code,
               f.provider, f.attempt_number, f.payment_status, f.is_declined, f.decline_reason, f.amount
        from dw.fct_payment_attempt f join dw.dim_customer c using (customer_key)
        join dw.dim_channel ch using (channel_key) join dw.dim_payment_method m using (payment_method_key)
        order by 1""",
    "fct_shipment": """
        select f.shipment_id, f.order_id, c.customer_id, ca.carrier_code, fc.fulfillment_center_code,
               f.shipment_status, f.promised_at, f.shipped_at, f.delivered_at, f.is_on_time, f.days_to_deliver,
               f.days_late, f.shipping_cost
        from dw.fct_shipment f join dw.dim_customer c using (customer_key) join dw.dim_carrier ca using (carrier_key)
        join dw.dim_fulfillment_center fc using (fulfillment_center_key)
        order by 1""",
    "fct_return_line": """
        select f.return_id, f.order_item_id, f.order_id, c.customer_id, p.product_id, f.return_status, f.reason,
               f.quantity, f.refund_amount, f.requested_at, f.received_at, f.refunded_at, f.days_after_delivery,
               f.followed_late_delivery
        from dw.fct_return_line f join dw.dim_customer c using (customer_key) join dw.dim_product p using (product_key)
        order by 1""",
    "dim_customer_current": """
        select customer_id, email, full_name, region, country_code, segment, status, is_inferred
        from dw.dim_customer where is_current order by 1""",
    "dim_product_versions": """
        select product_id, valid_from::text, valid_to::text, category, brand, list_price, unit_cost, is_inferred
        from dw.dim_product order by 1, 2""",
}


# The KPIs by category, month by month: what a category history left over from another load would change.
CATEGORY_KPIS = {
    "category_kpis": """
        select period_start, dimension_value, gross_sales, discounts, returns_amount, orders, units
        from kpi.kpi_values where grain = 'month' and dimension_name = 'category' order by 1, 2""",
}


def star_content(stack: Stack, queries: dict[str, str] = CONTENT_QUERIES) -> dict[str, list[tuple]]:
    return {name: stack.warehouse_sql(query) for name, query in queries.items()}


def full_rebuild_content(stack: Stack, queries: dict[str, str] = CONTENT_QUERIES) -> dict[str, list[tuple]]:
    """The star schema (or what ``queries`` read) a fresh warehouse builds from the source as it is now."""
    with scratch_database(stack.server_uri) as uri:
        fresh = Stack(stack.source, settings.WAREHOUSE.at(uri), stack.server_uri)
        fresh.run()
        return star_content(fresh, queries)


def assert_same_content(actual: dict[str, list[tuple]], expected: dict[str, list[tuple]]) -> None:
    for name in expected:
        missing = set(expected[name]) - set(actual[name])
        extra = set(actual[name]) - set(expected[name])
        assert not missing and not extra, (
            f"{name}: {len(missing)} rows missing, {len(extra)} unexpected; e.g. {sorted(missing)[:2]} / "
            f"{sorted(extra)[:2]}"
        )
