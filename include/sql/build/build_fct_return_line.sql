-- Rendered by `globalcart render-sql` from include/sql/templates/build/build_fct_return_line.sql.j2.
-- Rebuild the returned lines touched by anything merged since the last build: the
-- return (refunds weeks after the order land here), its order line, its order,
-- its shipment (days after delivery, late delivery) or its customer. A return
-- that breaks a rule against its order or line (contracts.py) stays out.

-- The changed sets are small next to the mirror: look rows up by index rather than scan.
set local random_page_cost = 1.1;
-- Joins are written from the small changed set outward; keep that order.
set local join_collapse_limit = 1;

-- Wait for merges still in flight (they hold this lock shared), so no merged row is skipped.
select pg_advisory_xact_lock(%(merge_build_lock)s);

create temp table build_window on commit drop as
select
    coalesce(
        (
            select p.built_through_merge_seq from audit.build_progress as p
            where p.target_table = 'fct_return_line'
        ), 0
    ) as built_after,
    (select case when s.is_called then s.last_value else 0 end from mirror.merge_seq as s) as built_through;

-- What changed in each table the facts are built from (the planner needs the sets' sizes).
create temp table changed_returns on commit drop as
select x.return_id
from mirror.returns as x
where x.merge_seq > (select w.built_after from build_window as w);

analyze changed_returns;

create temp table changed_order_items on commit drop as
select x.order_item_id
from mirror.order_items as x
where x.merge_seq > (select w.built_after from build_window as w);

analyze changed_order_items;

create temp table changed_orders on commit drop as
select x.order_id
from mirror.orders as x
where x.merge_seq > (select w.built_after from build_window as w);

analyze changed_orders;

create temp table changed_shipments on commit drop as
select x.order_id
from mirror.shipments as x
where x.merge_seq > (select w.built_after from build_window as w);

analyze changed_shipments;

create temp table changed_customers on commit drop as
select x.customer_id
from mirror.customers as x
where x.merge_seq > (select w.built_after from build_window as w);

analyze changed_customers;

-- A first load or a full refresh (the target still empty) takes the bulk path: the same rules
-- and the same rows, with the target's secondary indexes built once after the insert and its
-- triggers' work done once for the whole table. `globalcart.bulk_load = off` (a database or
-- session setting) keeps such a load on the row-by-row path.
create temp table load_mode on commit drop as
select
    coalesce(current_setting('globalcart.bulk_load', true), '') <> 'off'
    and (select w.built_after = 0 from build_window as w)
    and not exists (select from dw.fct_return_line) as is_bulk;

-- Whole tables are read, sorted and indexed: memory for the sorts, the hashes and the index builds.
select
    set_config('work_mem', '256MB', true),
    set_config('maintenance_work_mem', '512MB', true),
    set_config('random_page_cost', '4', true),
    set_config('join_collapse_limit', '8', true)
from load_mode as m
where m.is_bulk;

create temp table affected_returns on commit drop as
select c.return_id
from changed_returns as c
union
select r.return_id
from changed_order_items as c
inner join mirror.returns as r on c.order_item_id = r.order_item_id
union
select r.return_id
from changed_orders as c
inner join mirror.order_items as i on c.order_id = i.order_id
inner join mirror.returns as r on i.order_item_id = r.order_item_id
union
select r.return_id
from changed_shipments as c
inner join mirror.order_items as i on c.order_id = i.order_id
inner join mirror.returns as r on i.order_item_id = r.order_item_id
union
select f.return_id
from changed_customers as c
inner join dw.dim_customer as d on c.customer_id = d.customer_id
inner join dw.fct_return_line as f on d.customer_key = f.customer_key
union
-- the line's other returns: its refunds are judged together
select s.return_id
from changed_returns as c
inner join mirror.returns as r on c.return_id = r.return_id
inner join mirror.returns as s on r.order_item_id = s.order_item_id;

analyze affected_returns;

-- Returns that break a rule against their order or line: refused, kept with the reason.
create temp table refused_returns on commit drop as
select judged.*
from (
    select
        r.return_id,
        case
            when r.requested_at < o.ordered_at then 'requested_at is before the order was placed'
            when
                r.status <> 'rejected'
                and (
                    select sum(x.refund_amount)
                    from mirror.returns as x
                    where
                        x.order_item_id = r.order_item_id
                        and x.status <> 'rejected'
                        and (x.requested_at, x.return_id)
                        <= (r.requested_at, r.return_id)
                ) > i.quantity * i.unit_price - i.discount_amount
                then 'refund_amount is more than the line was paid, with the line''s earlier refunds'
            when
                r.status <> 'rejected'
                and (
                    select sum(x.quantity)
                    from mirror.returns as x
                    where
                        x.order_item_id = r.order_item_id
                        and x.status <> 'rejected'
                        and (x.requested_at, x.return_id)
                        <= (r.requested_at, r.return_id)
                ) > i.quantity
                then 'quantity is more than the line sold, with the line''s earlier returns'
        end as reason
    from affected_returns as a
    inner join mirror.returns as r on a.return_id = r.return_id
    inner join mirror.order_items as i on r.order_item_id = i.order_item_id
    inner join mirror.orders as o on i.order_id = o.order_id
) as judged
where judged.reason is not null;

insert into audit.rejected_rows (run_id, table_name, source_key, reason, row_data)
select
    %(run_id)s,
    'returns',
    x.return_id::text,
    x.reason,
    to_jsonb(m) - 'loaded_run_id' - 'merge_seq'
from refused_returns as x
inner join mirror.returns as m on x.return_id = m.return_id
on conflict do nothing;

delete from dw.fct_return_line as f
using refused_returns as x
where f.return_id = x.return_id;

insert into dw.dim_customer (customer_id, region, segment, valid_from, is_inferred)
select distinct
    o.customer_id,
    'unknown',
    'unknown',
    '-infinity'::timestamptz,
    true
from affected_returns as a
inner join mirror.returns as r on a.return_id = r.return_id
inner join mirror.order_items as i on r.order_item_id = i.order_item_id
inner join mirror.orders as o on i.order_id = o.order_id
where
    not exists (
        select from dw.dim_customer as d
        where d.customer_id = o.customer_id
    )
on conflict do nothing;

insert into dw.dim_product (product_id, category, valid_from, is_inferred)
select distinct
    i.product_id,
    'unknown',
    '-infinity'::timestamptz,
    true
from affected_returns as a
inner join mirror.returns as r on a.return_id = r.return_id
inner join mirror.order_items as i on r.order_item_id = i.order_item_id
where
    not exists (
        select from dw.dim_product as d
        where d.product_id = i.product_id
    )
on conflict do nothing;

-- The bulk path writes the whole table in the next statement: its indexes and triggers wait.
select dw.set_aside_for_bulk_load('dw.fct_return_line')
from load_mode as m
where m.is_bulk;

-- Returns whose order line or order has not arrived yet wait in the mirror.
insert into dw.fct_return_line as f (
    return_id, order_item_id, order_id, requested_date_key, customer_key, product_key, return_status, reason,
    quantity, refund_amount, requested_at, received_at, refunded_at, delivered_at, days_after_delivery,
    followed_late_delivery, source_updated_at
)
select
    r.return_id,
    r.order_item_id,
    i.order_id,
    to_char(r.requested_at at time zone 'UTC', 'YYYYMMDD')::integer as requested_date_key,
    dc.customer_key,
    dp.product_key,
    r.status as return_status,
    r.reason,
    r.quantity,
    r.refund_amount,
    r.requested_at,
    r.received_at,
    r.refunded_at,
    s.delivered_at,
    round((extract(epoch from r.requested_at - s.delivered_at) / 86400)::numeric, 2) as days_after_delivery,
    s.delivered_at > s.promised_at as followed_late_delivery,
    greatest(r.updated_at, i.updated_at, o.updated_at, s.updated_at) as source_updated_at
from affected_returns as a
inner join mirror.returns as r on a.return_id = r.return_id
inner join mirror.order_items as i on r.order_item_id = i.order_item_id
inner join mirror.orders as o on i.order_id = o.order_id
left join mirror.shipments as s on i.order_id = s.order_id
inner join dw.dim_customer as dc
    on
        o.customer_id = dc.customer_id
        and o.ordered_at >= dc.valid_from
        and o.ordered_at < dc.valid_to
inner join dw.dim_product as dp
    on
        i.product_id = dp.product_id
        and o.ordered_at >= dp.valid_from
        and o.ordered_at < dp.valid_to
where
    not exists (
        select from refused_returns as x
        where x.return_id = a.return_id
    )
on conflict (return_id) do update
    set
        order_item_id = excluded.order_item_id,
        order_id = excluded.order_id,
        requested_date_key = excluded.requested_date_key,
        customer_key = excluded.customer_key,
        product_key = excluded.product_key,
        return_status = excluded.return_status,
        reason = excluded.reason,
        quantity = excluded.quantity,
        refund_amount = excluded.refund_amount,
        requested_at = excluded.requested_at,
        received_at = excluded.received_at,
        refunded_at = excluded.refunded_at,
        delivered_at = excluded.delivered_at,
        days_after_delivery = excluded.days_after_delivery,
        followed_late_delivery = excluded.followed_late_delivery,
        source_updated_at = excluded.source_updated_at
    where f is distinct from excluded;

select dw.restore_after_bulk_load('dw.fct_return_line')
from load_mode as m
where m.is_bulk;

-- What the fact's triggers would have done row by row, once: every KPI day is recomputed
-- ('-infinity' marks them all), the days the fact falls on are marked as well (the analytics
-- read only facts a publication covered, and a mark of -infinity alone changes no fact), and
-- the calendar covers every one of them.
insert into kpi.kpi_dirty_days (calendar_date)
select '-infinity'::date
from load_mode as m
where m.is_bulk
union all
select to_date(d.day_key::text, 'YYYYMMDD')
from (
    select f.requested_date_key as day_key from dw.fct_return_line as f
) as d
where d.day_key is not null and (select m.is_bulk from load_mode as m);

select dw.extend_calendar_between(to_date(min(d.day_key)::text, 'YYYYMMDD'), to_date(max(d.day_key)::text, 'YYYYMMDD'))
from (
    select f.requested_date_key as day_key from dw.fct_return_line as f
) as d
where (select m.is_bulk from load_mode as m);

insert into audit.build_progress (target_table, built_through_merge_seq, run_id)
select
    'fct_return_line',
    w.built_through,
    %(run_id)s
from build_window as w
on conflict (target_table) do update
    set
        built_through_merge_seq = excluded.built_through_merge_seq,
        run_id = excluded.run_id,
        built_at = now();

-- After a large build (the initial load, a full refresh) refresh the planner's statistics
-- now: the next incremental run's lookups depend on them, and autovacuum may not have run.
do $$
begin
    if (select count(*) from affected_returns) > 100000 then
        analyze dw.fct_return_line;
    end if;
end
$$;
