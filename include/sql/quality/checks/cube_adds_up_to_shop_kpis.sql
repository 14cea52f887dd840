-- Days whose daily cube, added up over every channel, region and category, is not
-- the whole shop's daily KPIs: a part that differs, or a day on one side only. The
-- cube's ratios are re-aggregated from its parts and must equal the published ones.
select b.*
from batch as b
where
    b.cube_rows is null
    or b.gross_sales is distinct from b.cube_gross_sales
    or b.discounts is distinct from b.cube_discounts
    or b.returns_amount is distinct from b.cube_returns_amount
    or b.refunds is distinct from b.cube_refunds
    or b.cost_of_goods is distinct from b.cube_cost_of_goods
    or b.orders is distinct from b.cube_orders
    or b.units is distinct from b.cube_units
    or b.returned_units is distinct from b.cube_returned_units
    or b.lines_without_cost is distinct from b.cube_lines_without_cost
    or b.shipping_cost is distinct from b.cube_shipping_cost
    or b.deliveries is distinct from b.cube_deliveries
    or b.on_time_delivery_pct is distinct from b.cube_on_time_delivery_pct
    or b.average_days_to_deliver is distinct from b.cube_average_days_to_deliver
    or b.payment_attempts is distinct from b.cube_payment_attempts
    or b.decline_rate_attempts is distinct from b.cube_decline_rate_attempts
    or b.authorization_rate_attempts is distinct from b.cube_authorization_rate_attempts
    or b.paying_orders is distinct from b.cube_paying_orders
    or b.authorization_rate_orders is distinct from b.cube_authorization_rate_orders
    or b.decline_rate_orders is distinct from b.cube_decline_rate_orders
