-- Closed days whose order lines, gross amount or discounts differ between the
-- source and the warehouse.
select b.*
from batch as b
where
    b.source_order_lines != b.warehouse_order_lines
    or b.source_gross_amount != b.warehouse_gross_amount
    or b.source_discount_amount != b.warehouse_discount_amount
