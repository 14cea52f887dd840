-- The reconciled days side by side: per order day and customer region (the customer's region
-- now, as the source keeps it), the warehouse's totals of what the KPIs depend on next to the
-- source's (audit.source_daily_totals of this run). Both sides leave out the same rows: those
-- the source changed since the extraction, and those the warehouse holds back on purpose.
create temp table left_out on commit drop as
select
    'order_item' as kind,
    k.source_key
from unnest(%(excluded_order_item_ids)s::bigint[] || %(changed_order_item_ids)s::bigint[]) as k (source_key)
union
select
    'order' as kind,
    k.source_key
from unnest(%(excluded_order_ids)s::bigint[]) as k (source_key)
union
select
    'return' as kind,
    k.source_key
from unnest(%(excluded_return_ids)s::bigint[] || %(changed_return_ids)s::bigint[]) as k (source_key)
union
select
    'customer' as kind,
    k.source_key
from unnest(%(excluded_customer_ids)s::bigint[] || %(changed_customer_ids)s::bigint[]) as k (source_key);

analyze left_out;

drop table if exists candidate.reconciled_days;
create table candidate.reconciled_days as
with lines as (
    select
        f.order_item_id,
        to_date(f.order_date_key::text, 'YYYYMMDD') as order_date,
        case
            when
                exists (
                    select from left_out as x
                    where x.kind = 'customer' and x.source_key = member.customer_id
                )
                then '(not compared)'
            else coalesce(current_member.region, 'unknown')
        end as region,
        f.is_cancelled,
        f.gross_amount,
        f.discount_amount
    from dw.fct_order_line as f
    inner join dw.dim_customer as member on f.customer_key = member.customer_key
    left join dw.dim_customer as current_member
        on member.customer_id = current_member.customer_id and current_member.is_current
    where
        f.order_date_key = any(%(order_date_keys)s::integer[])
        and not exists (
            select from left_out as x
            where x.kind = 'order_item' and x.source_key = f.order_item_id
        )
        and not exists (
            select from left_out as x
            where x.kind = 'order' and x.source_key = f.order_id
        )
),

refunds as (
    select
        r.order_item_id,
        sum(r.refund_amount) as refund_amount
    from dw.fct_return_line as r
    where
        r.return_status != 'rejected'
        and r.order_item_id in (select l.order_item_id from lines as l)
        and not exists (
            select from left_out as x
            where x.kind = 'return' and x.source_key = r.return_id
        )
    group by r.order_item_id
),

warehouse_days as (
    select
        l.order_date,
        l.region,
        count(*) as order_lines,
        count(*) filter (where l.is_cancelled) as cancelled_lines,
        sum(l.gross_amount) as gross_amount,
        sum(l.discount_amount) as discount_amount,
        coalesce(sum(l.gross_amount) filter (where not l.is_cancelled), 0) as kept_gross_amount,
        coalesce(sum(l.discount_amount) filter (where not l.is_cancelled), 0) as kept_discount_amount,
        coalesce(sum(f.refund_amount) filter (where not l.is_cancelled), 0) as refund_amount
    from lines as l
    left join refunds as f on l.order_item_id = f.order_item_id
    group by l.order_date, l.region
),

source_days as (
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
    full outer join warehouse_days as w on src.order_date = w.order_date and src.region = w.region
)

select * from final;

analyze candidate.reconciled_days;
