-- The candidate cube rolled up for the dashboards' filters (marts.kpi_cube_rollup):
-- the days %(first_day)s..%(last_day)s, which the candidate build recomputed, rolled
-- up again from the candidate cube; the other days carried over from the published
-- rollup. Part of the candidate build's transaction; swapped in with the cube.
drop table if exists candidate.kpi_cube_rollup;

create table candidate.kpi_cube_rollup as
select p.* from marts.kpi_cube_rollup as p
where not (p.period_start between %(first_day)s::date and %(last_day)s::date)
union all
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
from candidate.kpi_cube_daily as c
where c.period_start between %(first_day)s::date and %(last_day)s::date
group by c.period_start, cube (c.channel, c.region, c.category);

alter table candidate.kpi_cube_rollup add primary key (channel, region, category, period_start);
