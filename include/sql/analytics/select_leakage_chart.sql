-- Leakage by category and driver, as a share of the category's gross sales, for the stacked bars.
select
    l.dimension_value as category,
    d.driver,
    d.amount::float8,
    (d.amount / nullif(l.gross_sales, 0))::float8 as share_of_gross
from marts.profit_leakage as l
cross join
    lateral (
        values
        ('discounts', l.discounts),
        ('refunds', l.refunds),
        ('shipping cost', l.shipping_cost),
        ('declined payments', l.declined_payments)
    ) as d (driver, amount)
where l.dimension_name = 'category'
order by l.dimension_value, d.driver;
