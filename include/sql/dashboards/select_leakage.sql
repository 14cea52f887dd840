-- The categories losing the most money (all of them, or the filtered one), with the
-- money lost per driver, as of the published analytics run.
select
    t.leakage_rank,
    t.category,
    l.gross_sales,
    l.discounts,
    l.refunds,
    l.refunds_after_late_delivery,
    l.shipping_cost,
    l.declined_payments,
    l.total_leakage,
    l.leakage_pct_of_gross,
    t.largest_driver
from marts.leakage_top_categories as t
inner join marts.profit_leakage as l on l.dimension_name = 'category' and t.category = l.dimension_value
where %(category)s::text is null or t.category = %(category)s::text
order by t.leakage_rank
limit %(top)s;
