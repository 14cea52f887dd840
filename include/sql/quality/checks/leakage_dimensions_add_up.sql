-- Dimensions whose rows do not add up to the whole shop (each line belongs to
-- exactly one category, channel, carrier and center). Shipping cost is shared out
-- and rounded per row, so it may differ by a cent per row.
with by_dimension as (
    select
        b.dimension_name,
        count(*) as dimension_rows,
        sum(b.gross_sales) as gross_sales,
        sum(b.total_leakage - b.shipping_cost) as leakage_without_shipping,
        sum(b.shipping_cost) as shipping_cost
    from batch as b
    where b.dimension_name <> 'all'
    group by b.dimension_name
)

select
    d.dimension_name,
    d.gross_sales,
    a.gross_sales as shop_gross_sales,
    d.leakage_without_shipping,
    a.total_leakage - a.shipping_cost as shop_leakage_without_shipping
from by_dimension as d
cross join batch as a
where
    a.dimension_name = 'all'
    and (
        d.gross_sales <> a.gross_sales
        or d.leakage_without_shipping <> a.total_leakage - a.shipping_cost
        or abs(d.shipping_cost - a.shipping_cost) > 0.01 * d.dimension_rows
    )
