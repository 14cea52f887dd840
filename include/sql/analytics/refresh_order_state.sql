-- Brings analytics.order_state up to date with the facts in this snapshot: the
-- orders noted in analytics.changed_orders, or every order when %(rebuild)s (the
-- state was never built, or a truncate dropped it). Runs in the retention
-- build's transaction, so the state always matches the facts it was read with,
-- and only the notes this snapshot sees are consumed: notes committed later wait
-- for the next run.
set local work_mem = '256MB';

create temp table stale_orders on commit drop as
select distinct c.order_id
from analytics.changed_orders as c
where not %(rebuild)s;

delete from analytics.order_state as s
where %(rebuild)s or s.order_id in (select x.order_id from stale_orders as x);

insert into analytics.order_state
with lines as (
    select
        f.order_id,
        f.order_item_id,
        f.order_date_key,
        f.ordered_at,
        f.is_cancelled,
        f.quantity,
        f.net_amount,
        c.customer_id
    from dw.fct_order_line as f
    inner join dw.dim_customer as c on f.customer_key = c.customer_key
    where %(rebuild)s or f.order_id in (select x.order_id from stale_orders as x)
),

returned as (
    select
        r.order_item_id,
        sum(r.quantity) as returned_units,
        max(r.requested_at) as last_returned_at
    from dw.fct_return_line as r
    where
        r.return_status <> 'rejected'
        and (%(rebuild)s or r.order_id in (select x.order_id from stale_orders as x))
    group by r.order_item_id
)

select
    l.order_id,
    min(l.customer_id) as customer_id,
    min(l.order_date_key) as first_date_key,
    max(l.order_date_key) as last_date_key,
    sum(l.quantity) as units,
    count(*) filter (where not l.is_cancelled) as kept_lines,
    min(l.ordered_at) filter (where not l.is_cancelled) as ordered_at,
    sum(
        l.net_amount - round(l.net_amount * coalesce(r.returned_units, 0) / l.quantity, 2)
    ) filter (where not l.is_cancelled) as net_sales,
    max(r.last_returned_at) filter (where not l.is_cancelled) as last_returned_at
from lines as l
left join returned as r on l.order_item_id = r.order_item_id
group by l.order_id;

delete from analytics.changed_orders as c
where c.order_id in (select x.order_id from stale_orders as x);

delete from analytics.changed_orders
where %(rebuild)s;

-- An update, not an upsert: a truncate that dropped the row since this snapshot
-- leaves the state to be rebuilt again.
update analytics.state_builds
set is_built = true, built_by_run = %(run_id)s, built_at = now()
where state = 'order_state' and %(rebuild)s;
