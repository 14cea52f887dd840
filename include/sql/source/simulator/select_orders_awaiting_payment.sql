-- Placed orders that may pay (or give up) before the end of the step, with their
-- payment history so far, the amount to charge and the units to ship.
select
    o.order_id,
    o.customer_id,
    o.ordered_at,
    c.region,
    coalesce(attempts.attempt_count, 0) as attempt_count,
    attempts.last_attempted_at,
    attempts.last_payment_method,
    attempts.last_status,
    totals.net_amount,
    totals.units
from shop.orders as o
inner join shop.customers as c on o.customer_id = c.customer_id
cross join
    lateral (
        select
            sum(i.quantity * i.unit_price - i.discount_amount) as net_amount,
            sum(i.quantity) as units
        from shop.order_items as i
        where i.order_id = o.order_id
    ) as totals
left join lateral (
    select
        count(*) as attempt_count,
        max(p.attempted_at) as last_attempted_at,
        (array_agg(p.payment_method order by p.attempt_number desc))[1] as last_payment_method,
        (array_agg(p.status order by p.attempt_number desc))[1] as last_status
    from shop.payments as p
    where p.order_id = o.order_id
) as attempts on true
where
    o.status = 'placed'
    and o.ordered_at < %(until)s
order by o.order_id;
