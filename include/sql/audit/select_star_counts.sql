select
    counts.table_name,
    counts.row_count
from (
    values
    ('fct_order_line', (select count(*) from dw.fct_order_line)),
    ('fct_payment_attempt', (select count(*) from dw.fct_payment_attempt)),
    ('fct_shipment', (select count(*) from dw.fct_shipment)),
    ('fct_return_line', (select count(*) from dw.fct_return_line)),
    ('dim_customer', (select count(*) from dw.dim_customer)),
    ('dim_product', (select count(*) from dw.dim_product))
) as counts (table_name, row_count);
