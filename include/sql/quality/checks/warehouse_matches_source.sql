-- Reconciled days and regions whose lines, cancellations, amounts (of all lines and of the
-- lines kept) or refunds differ between the source and the warehouse; and, when facts
-- changed but not one line was compared, a row that says so: a reconciliation that checked
-- nothing must not pass.
select
    b.order_date,
    b.region,
    b.source_order_lines,
    b.warehouse_order_lines,
    b.source_cancelled_lines,
    b.warehouse_cancelled_lines,
    b.source_kept_gross_amount,
    b.warehouse_kept_gross_amount,
    b.source_kept_discount_amount,
    b.warehouse_kept_discount_amount,
    b.source_refund_amount,
    b.warehouse_refund_amount
from batch as b
where
    b.source_order_lines != b.warehouse_order_lines
    or b.source_cancelled_lines != b.warehouse_cancelled_lines
    or b.source_gross_amount != b.warehouse_gross_amount
    or b.source_discount_amount != b.warehouse_discount_amount
    or b.source_kept_gross_amount != b.warehouse_kept_gross_amount
    or b.source_kept_discount_amount != b.warehouse_kept_discount_amount
    or b.source_refund_amount != b.warehouse_refund_amount
union all
select
    null::date as order_date,
    'nothing compared, though facts changed' as region,
    0::bigint as source_order_lines,
    0::bigint as warehouse_order_lines,
    0::bigint as source_cancelled_lines,
    0::bigint as warehouse_cancelled_lines,
    0::numeric as source_kept_gross_amount,
    0::numeric as warehouse_kept_gross_amount,
    0::numeric as source_kept_discount_amount,
    0::numeric as warehouse_kept_discount_amount,
    0::numeric as source_refund_amount,
    0::numeric as warehouse_refund_amount
where
    not exists (
        select from batch as b
        where b.source_order_lines > 0 or b.warehouse_order_lines > 0
    )
    and (
        exists (select from candidate.checked_order_lines)
        or exists (select from candidate.checked_return_lines)
    )
