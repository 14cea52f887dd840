-- Leakage rows with a negative amount.
select
    b.dimension_name,
    b.dimension_value,
    b.gross_sales,
    b.discounts,
    b.refunds,
    b.shipping_cost,
    b.declined_payments
from batch as b
where least(
    b.gross_sales, b.discounts, b.refunds, b.refunds_after_late_delivery, b.shipping_cost, b.declined_payments
) < 0
