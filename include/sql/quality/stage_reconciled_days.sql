-- The reconciled days side by side: per order day and customer region, the warehouse's totals
-- (warehouse_daily_totals, staged by stage_warehouse_daily_totals.sql in this transaction) next
-- to the source's (audit.source_daily_totals of this run).
drop table if exists candidate.reconciled_days;
create table candidate.reconciled_days as
with source_days as (
    select t.*
    from audit.source_daily_totals as t
    where t.run_id = %(run_id)s
),

final as (
    select
        coalesce(src.order_date, w.order_date) as order_date,
        coalesce(src.region, w.region) as region,
        coalesce(src.order_lines, 0) as source_order_lines,
        coalesce(w.order_lines, 0) as warehouse_order_lines,
        coalesce(src.cancelled_lines, 0) as source_cancelled_lines,
        coalesce(w.cancelled_lines, 0) as warehouse_cancelled_lines,
        coalesce(src.gross_amount, 0) as source_gross_amount,
        coalesce(w.gross_amount, 0) as warehouse_gross_amount,
        coalesce(src.discount_amount, 0) as source_discount_amount,
        coalesce(w.discount_amount, 0) as warehouse_discount_amount,
        coalesce(src.kept_gross_amount, 0) as source_kept_gross_amount,
        coalesce(w.kept_gross_amount, 0) as warehouse_kept_gross_amount,
        coalesce(src.kept_discount_amount, 0) as source_kept_discount_amount,
        coalesce(w.kept_discount_amount, 0) as warehouse_kept_discount_amount,
        coalesce(src.refund_amount, 0) as source_refund_amount,
        coalesce(w.refund_amount, 0) as warehouse_refund_amount
    from source_days as src
    full outer join warehouse_daily_totals as w on src.order_date = w.order_date and src.region = w.region
)

select * from final;

analyze candidate.reconciled_days;
