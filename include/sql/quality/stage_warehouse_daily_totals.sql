-- The warehouse's side of the reconciliation: per order day and customer region (the customer's
-- region now, as the source keeps it), its totals of what the KPIs depend on. Both sides leave
-- out the same rows: those the source changed since the extraction, and those the warehouse
-- holds back on purpose. Runs while the source adds up its own totals; stage_reconciled_days.sql
-- then sets the two side by side, in the same transaction.
create temp table warehouse_daily_totals on commit drop as
with lines as (
    select
        f.order_item_id,
        f.order_date_key,
        f.customer_key,
        f.is_cancelled,
        f.gross_amount,
        f.discount_amount
    from dw.fct_order_line as f
    where
        f.order_date_key = any(%(order_date_keys)s::integer[])
        and f.order_item_id != all(%(excluded_order_item_ids)s::bigint[] || %(changed_order_item_ids)s::bigint[])
        and f.order_id != all(%(excluded_order_ids)s::bigint[])
),

refunds as (
    select
        r.order_item_id,
        sum(r.refund_amount) as refund_amount
    from dw.fct_return_line as r
    where
        r.return_status != 'rejected'
        and r.order_item_id in (select l.order_item_id from lines as l)
        and r.return_id != all(%(excluded_return_ids)s::bigint[] || %(changed_return_ids)s::bigint[])
    group by r.order_item_id
),

with_region as (
    select
        l.order_date_key,
        case
            when member.customer_id = any(%(excluded_customer_ids)s::bigint[] || %(changed_customer_ids)s::bigint[])
                then '(not compared)'
            else coalesce(current_member.region, 'unknown')
        end as region,
        l.is_cancelled,
        l.gross_amount,
        l.discount_amount,
        f.refund_amount
    from lines as l
    inner join dw.dim_customer as member on l.customer_key = member.customer_key
    left join dw.dim_customer as current_member
        on member.customer_id = current_member.customer_id and current_member.is_current
    left join refunds as f on l.order_item_id = f.order_item_id
)

select
    to_date(w.order_date_key::text, 'YYYYMMDD') as order_date,
    w.region,
    count(*) as order_lines,
    count(*) filter (where w.is_cancelled) as cancelled_lines,
    sum(w.gross_amount) as gross_amount,
    sum(w.discount_amount) as discount_amount,
    coalesce(sum(w.gross_amount) filter (where not w.is_cancelled), 0) as kept_gross_amount,
    coalesce(sum(w.discount_amount) filter (where not w.is_cancelled), 0) as kept_discount_amount,
    coalesce(sum(w.refund_amount) filter (where not w.is_cancelled), 0) as refund_amount
from with_region as w
group by w.order_date_key, w.region;
