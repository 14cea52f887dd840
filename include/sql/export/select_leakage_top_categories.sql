-- The categories that leak the most, in rank order.
select
    t.leakage_rank,
    t.category,
    t.gross_sales,
    t.total_leakage,
    t.leakage_pct_of_gross,
    t.largest_driver,
    t.largest_driver_amount,
    t.refund_pct_of_gross
from marts.leakage_top_categories as t
order by t.leakage_rank;
