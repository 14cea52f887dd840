-- The daily cube rolled up for every combination of the dashboards' filters: a
-- channel, region and category of 'any' sums every member (including the parts a
-- dimension does not cut, which sit on 'all'). Any filter then reads one row per
-- day, through the primary key. Built with the cube for the days a build
-- recomputes (include/sql/publish/build_candidate_cube_rollup.sql) and swapped in
-- with it; filled here from the cube already published.
create table if not exists marts.kpi_cube_rollup as
select
    c.period_start,
    case when grouping(c.channel) = 1 then 'any' else c.channel end as channel,
    case when grouping(c.region) = 1 then 'any' else c.region end as region,
    case when grouping(c.category) = 1 then 'any' else c.category end as category,
    sum(c.orders) as orders,
    sum(c.orders_in_category) as orders_in_category,
    sum(c.units) as units,
    sum(c.gross_sales) as gross_sales,
    sum(c.discounts) as discounts,
    sum(c.returned_units) as returned_units,
    sum(c.returns_amount) as returns_amount,
    sum(c.refunds) as refunds,
    sum(c.cost_of_goods) as cost_of_goods,
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
from marts.kpi_cube_daily as c
group by c.period_start, cube (c.channel, c.region, c.category);

alter table marts.kpi_cube_rollup add primary key (channel, region, category, period_start);
