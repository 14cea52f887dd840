-- The executive tiles for a period, the one before it and the same period a year
-- earlier, from the published cube's additive parts rolled up for the filter
-- (marts.kpi_cube_rollup, one row a day): sums first, then each ratio (docs/bi.md).
-- A null filter means every member. Deliveries are cut by region only, so
-- a channel or category filter leaves the on-time share empty, as the KPI tables do.
with periods (period, period_from, period_to) as (
    values
    ('current', %(period_from)s::date, %(period_to)s::date),
    ('previous', %(previous_from)s::date, %(previous_to)s::date),
    ('last_year', %(last_year_from)s::date, %(last_year_to)s::date)
),

parts as (
    select
        p.period,
        p.period_from,
        p.period_to,
        sum(c.gross_sales) as gross_sales,
        sum(c.discounts) as discounts,
        sum(c.returns_amount) as returns_amount,
        sum(c.cost_of_goods) as cost_of_goods,
        case when %(category)s::text is null then sum(c.orders) else sum(c.orders_in_category) end as orders,
        sum(c.units) as units,
        sum(c.returned_units) as returned_units,
        sum(c.deliveries) as deliveries,
        sum(c.deliveries_on_time) as deliveries_on_time
    from periods as p
    left join marts.kpi_cube_rollup as c
        on
            c.channel = coalesce(%(channel)s::text, 'any')
            and c.region = coalesce(%(region)s::text, 'any')
            and c.category = coalesce(%(category)s::text, 'any')
            and c.period_start between p.period_from and p.period_to
    group by p.period, p.period_from, p.period_to
)

select
    s.period,
    s.period_from,
    s.period_to,
    s.gross_sales - s.discounts - s.returns_amount as net_sales,
    round(
        (s.gross_sales - s.discounts - s.returns_amount - s.cost_of_goods)
        / nullif(s.gross_sales - s.discounts - s.returns_amount, 0),
        4
    ) as gross_margin_pct,
    s.orders,
    round((s.gross_sales - s.discounts) / nullif(s.orders, 0), 2) as average_order_value,
    round(s.returned_units::numeric / nullif(s.units, 0), 4) as return_rate_units,
    round(s.deliveries_on_time::numeric / nullif(s.deliveries, 0), 4) as on_time_delivery_pct
from parts as s;
