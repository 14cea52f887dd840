-- The published profit leakage by driver, the whole shop first, then by each cut.
select
    l.dimension_name,
    l.dimension_value,
    l.gross_sales,
    l.discounts,
    l.refunds,
    l.refunds_after_late_delivery,
    l.shipping_cost,
    l.declined_payments,
    l.total_leakage,
    l.leakage_pct_of_gross
from marts.profit_leakage as l
order by l.dimension_name != 'all' asc, l.dimension_name asc, l.total_leakage desc, l.dimension_value asc;
