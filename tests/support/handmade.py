"""Hand-made warehouses for the analytics tests: a few customers and orders written out by hand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

import psycopg

from globalcart.marts.publish import build_candidates, publish_candidates
from globalcart.warehouse.migrations import apply_migrations


@dataclass(frozen=True)
class Order:
    customer_id: int
    order_id: int
    day: date
    net: float  # one line, one unit, no discount: gross = net
    cancelled: bool = False
    returned: bool = False  # the unit came back (refunded)


def write_orders(uri: str, orders: list[Order], channel: str = "web") -> None:
    """Write the customers, order lines and returns into a migrated warehouse, then publish its KPIs."""
    with psycopg.connect(uri) as conn:
        apply_migrations(conn)
        for customer_id in sorted({o.customer_id for o in orders}):
            conn.execute(
                """insert into dw.dim_customer (customer_id, region, segment, acquisition_channel, valid_from)
                   values (%s, 'europe', 'consumer', %s, '2020-01-01')""",
                (customer_id, channel),
            )
        conn.execute(
            """insert into dw.dim_product (product_id, category, list_price, unit_cost, valid_from)
               values (1, 'apparel', 100, 40, '2020-01-01')"""
        )
        for o in orders:
            ordered_at = datetime.combine(o.day, time(12)).isoformat() + "Z"
            conn.execute(
                """insert into dw.fct_order_line (
                       order_item_id, order_id, line_number, order_date_key, ordered_at, customer_key, product_key,
                       channel_key, promotion_key, order_status, is_cancelled, quantity, unit_price, gross_amount,
                       discount_amount, net_amount, unit_cost, cost_amount, source_updated_at)
                   select %(id)s, %(id)s, 1, to_char(%(day)s::date, 'YYYYMMDD')::integer, %(at)s::timestamptz,
                          (select customer_key from dw.dim_customer where customer_id = %(customer)s),
                          (select product_key from dw.dim_product where product_id = 1),
                          (select channel_key from dw.dim_channel where channel_code = 'web'), 0,
                          case when %(cancelled)s then 'cancelled' else 'delivered' end, %(cancelled)s,
                          1, %(net)s, %(net)s, 0, %(net)s, 40, 40, now()""",
                {
                    "id": o.order_id,
                    "day": o.day,
                    "at": ordered_at,
                    "customer": o.customer_id,
                    "cancelled": o.cancelled,
                    "net": o.net,
                },
            )
            if o.returned:
                conn.execute(
                    """insert into dw.fct_return_line (
                           return_id, order_item_id, order_id, requested_date_key, customer_key, product_key,
                           return_status, reason, quantity, refund_amount, requested_at, source_updated_at)
                       select f.order_item_id, f.order_item_id, f.order_id, f.order_date_key, f.customer_key,
                              f.product_key, 'refunded', 'wrong_size', 1, f.net_amount, f.ordered_at, now()
                       from dw.fct_order_line as f where f.order_item_id = %s""",
                    (o.order_id,),
                )
        conn.commit()
        build_candidates(conn, "handmade")
        publish_candidates(conn, "handmade")
