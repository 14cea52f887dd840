-- Per day, the daily cube this run would publish added up over every channel, region
-- and category, next to the whole-shop daily KPIs it would publish with it. A day on
-- one side only has the other side's columns empty. (An asset's query starts with select.)
select
    coalesce(k.period_start, c.period_start) as period_start,
    c.cube_rows,
    c.gross_sales as cube_gross_sales,
    k.gross_sales,
    c.discounts as cube_discounts,
    k.discounts,
    c.returns_amount as cube_returns_amount,
    k.returns_amount,
    c.refunds as cube_refunds,
    k.refunds,
    c.cost_of_goods as cube_cost_of_goods,
    k.cost_of_goods,
    c.orders as cube_orders,
    k.orders,
    c.units as cube_units,
    k.units,
    c.returned_units as cube_returned_units,
    k.returned_units,
    c.lines_without_cost as cube_lines_without_cost,
    k.lines_without_cost,
    round(c.shipping_cost, 2) as cube_shipping_cost,
    k.shipping_cost,
    c.deliveries as cube_deliveries,
    k.deliveries,
    round(c.deliveries_on_time::numeric / nullif(c.deliveries, 0), 4) as cube_on_time_delivery_pct,
    k.on_time_delivery_pct,
    round(c.days_to_deliver / nullif(c.deliveries, 0), 2) as cube_average_days_to_deliver,
    k.average_days_to_deliver,
    c.payment_attempts as cube_payment_attempts,
    k.payment_attempts,
    round(c.declined_attempts::numeric / nullif(c.payment_attempts, 0), 4) as cube_decline_rate_attempts,
    k.decline_rate_attempts,
    round(c.authorized_attempts::numeric / nullif(c.payment_attempts, 0), 4) as cube_authorization_rate_attempts,
    k.authorization_rate_attempts,
    c.paying_orders as cube_paying_orders,
    k.paying_orders,
    round(c.authorized_orders::numeric / nullif(c.paying_orders, 0), 4) as cube_authorization_rate_orders,
    k.authorization_rate_orders,
    round(c.orders_with_decline::numeric / nullif(c.paying_orders, 0), 4) as cube_decline_rate_orders,
    k.decline_rate_orders
from (
    select d.* from candidate.kpi_daily as d
    where d.dimension_name = 'all'
) as k
full outer join (
    select
        c.period_start,
        count(*) as cube_rows,
        sum(c.gross_sales) as gross_sales,
        sum(c.discounts) as discounts,
        sum(c.returns_amount) as returns_amount,
        sum(c.refunds) as refunds,
        sum(c.cost_of_goods) as cost_of_goods,
        sum(c.orders) as orders,
        sum(c.units) as units,
        sum(c.returned_units) as returned_units,
        sum(c.lines_without_cost) as lines_without_cost,
        sum(c.shipping_cost) as shipping_cost,
        sum(c.deliveries) as deliveries,
        sum(c.deliveries_on_time) as deliveries_on_time,
        sum(c.days_to_deliver) as days_to_deliver,
        sum(c.payment_attempts) as payment_attempts,
        sum(c.declined_attempts) as declined_attempts,
        sum(c.authorized_attempts) as authorized_attempts,
        sum(c.paying_orders) as paying_orders,
        sum(c.authorized_orders) as authorized_orders,
        sum(c.orders_with_decline) as orders_with_decline
    from candidate.kpi_cube_daily as c
    group by c.period_start
) as c on k.period_start = c.period_start
