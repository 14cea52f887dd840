-- The source's own totals per order day (UTC) and customer region, for the days the gate
-- reconciles: what the warehouse must hold for them. Only rows the warehouse has seen as they
-- are count (written before each table's complete_before), without the rows it holds back on
-- purpose (the excluded keys); a customer changed since, or held back, is counted under
-- '(not compared)'. What the KPIs depend on: every line, the cancelled ones, the amounts of
-- all lines and of those kept, and the refunds of returns not rejected on the lines kept.
with lines as (
    select
        i.order_item_id,
        (o.ordered_at at time zone 'UTC')::date as order_date,
        case
            when c.updated_at >= %(customers_complete_before)s or c.customer_id = any(%(excluded_customer_ids)s)
                then '(not compared)'
            else coalesce(c.region, 'unknown')
        end as region,
        o.status = 'cancelled' as is_cancelled,
        i.quantity * i.unit_price as gross_amount,
        i.discount_amount
    from shop.order_items as i
    inner join shop.orders as o on i.order_id = o.order_id
    left join shop.customers as c on o.customer_id = c.customer_id
    where
        (o.ordered_at at time zone 'UTC')::date = any(%(order_dates)s::date[])
        and i.updated_at < %(order_items_complete_before)s
        and o.updated_at < %(orders_complete_before)s
        and i.order_item_id != all(%(excluded_order_item_ids)s::bigint[])
        and o.order_id != all(%(excluded_order_ids)s::bigint[])
),

refunds as (
    select
        r.order_item_id,
        sum(r.refund_amount) as refund_amount
    from shop.returns as r
    where
        r.status != 'rejected'
        and r.order_item_id in (select l.order_item_id from lines as l)
        and r.updated_at < %(returns_complete_before)s
        and r.return_id != all(%(excluded_return_ids)s::bigint[])
    group by r.order_item_id
)

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
order by l.order_date, l.region;
