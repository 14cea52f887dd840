-- The rows the gate checks, copied aside so that every check reads a small,
-- analyzed table: the facts whose source rows changed since %(checked_from)s,
-- and the reconciled days side by side with the source's totals.
drop table if exists candidate.checked_order_lines;
create table candidate.checked_order_lines as
select f.*
from dw.fct_order_line as f
where f.source_updated_at >= %(checked_from)s::timestamptz;

drop table if exists candidate.checked_payment_attempts;
create table candidate.checked_payment_attempts as
select p.*
from dw.fct_payment_attempt as p
where p.source_updated_at >= %(checked_from)s::timestamptz;

drop table if exists candidate.checked_shipments;
create table candidate.checked_shipments as
select s.*
from dw.fct_shipment as s
where s.source_updated_at >= %(checked_from)s::timestamptz;

drop table if exists candidate.checked_return_lines;
create table candidate.checked_return_lines as
select r.*
from dw.fct_return_line as r
where r.source_updated_at >= %(checked_from)s::timestamptz;

drop table if exists candidate.reconciled_days;
create table candidate.reconciled_days as
with warehouse_days as (
    select
        d.calendar_date as order_date,
        count(*) as order_lines,
        sum(f.gross_amount) as gross_amount,
        sum(f.discount_amount) as discount_amount
    from dw.fct_order_line as f
    inner join dw.dim_date as d on f.order_date_key = d.date_key
    inner join mirror.order_items as i on f.order_item_id = i.order_item_id
    where
        f.order_date_key between %(reconciled_from_key)s and %(reconciled_through_key)s
        and i.created_at < %(source_cutoff)s
    group by d.calendar_date
),

source_days as (
    select t.*
    from audit.source_daily_totals as t
    where t.run_id = %(run_id)s
),

final as (
    select
        coalesce(src.order_date, w.order_date) as order_date,
        coalesce(src.order_lines, 0) as source_order_lines,
        coalesce(w.order_lines, 0) as warehouse_order_lines,
        coalesce(src.gross_amount, 0) as source_gross_amount,
        coalesce(w.gross_amount, 0) as warehouse_gross_amount,
        coalesce(src.discount_amount, 0) as source_discount_amount,
        coalesce(w.discount_amount, 0) as warehouse_discount_amount
    from source_days as src
    full outer join warehouse_days as w on src.order_date = w.order_date
)

select * from final;

analyze candidate.checked_order_lines;
analyze candidate.checked_payment_attempts;
analyze candidate.checked_shipments;
analyze candidate.checked_return_lines;
analyze candidate.reconciled_days;
