-- The source's own order-line totals per order day (UTC), for the lines created
-- before the warehouse's cutoff: what the warehouse must hold for those days.
select
    (o.ordered_at at time zone 'UTC')::date as order_date,
    count(*) as order_lines,
    sum(i.quantity * i.unit_price) as gross_amount,
    sum(i.discount_amount) as discount_amount
from shop.order_items as i
inner join shop.orders as o on i.order_id = o.order_id
where
    o.ordered_at >= %(from_day)s::date
    and o.ordered_at < %(through_day)s::date + 1
    and i.created_at < %(cutoff)s
    and o.created_at < %(cutoff)s
    and i.order_item_id != all(%(excluded_order_item_ids)s)
    and i.order_id != all(%(excluded_order_ids)s)
group by (o.ordered_at at time zone 'UTC')::date
order by order_date;
