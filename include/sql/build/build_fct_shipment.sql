-- Rendered by `globalcart render-sql` from include/sql/templates/build/build_fct_shipment.sql.j2.
-- Rebuild the shipments touched by anything merged since the last build: the
-- shipment itself (a late delivery lands here), its order, or its customer. A
-- shipment sent or delivered before its order was placed (contracts.py) stays out.

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
            where p.target_table = 'fct_shipment'
        ), 0
    ) as built_after,
    (select case when s.is_called then s.last_value else 0 end from mirror.merge_seq as s) as built_through;

-- What changed in each table the facts are built from (the planner needs the sets' sizes).
create temp table changed_shipments on commit drop as
select x.shipment_id
from mirror.shipments as x
where x.merge_seq > (select w.built_after from build_window as w);

analyze changed_shipments;

create temp table changed_orders on commit drop as
select x.order_id
from mirror.orders as x
where x.merge_seq > (select w.built_after from build_window as w);

analyze changed_orders;

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
    and not exists (select from dw.fct_shipment) as is_bulk;

-- Whole tables are read, sorted and indexed: memory for the sorts, the hashes and the index builds.
select
    set_config('work_mem', '256MB', true),
    set_config('maintenance_work_mem', '512MB', true),
    set_config('random_page_cost', '4', true),
    set_config('join_collapse_limit', '8', true)
from load_mode as m
where m.is_bulk;

create temp table affected_shipments on commit drop as
select c.shipment_id
from changed_shipments as c
union
select s.shipment_id
from changed_orders as c
inner join mirror.shipments as s on c.order_id = s.order_id
union
select f.shipment_id
from changed_customers as c
inner join dw.dim_customer as d on c.customer_id = d.customer_id
inner join dw.fct_shipment as f on d.customer_key = f.customer_key;

analyze affected_shipments;

-- Shipments that break a rule against their order: refused, kept with the reason.
create temp table refused_shipments on commit drop as
select judged.*
from (
    select
        s.shipment_id,
        case
            when s.shipped_at < o.ordered_at then 'shipped_at is before the order was placed'
            when s.delivered_at < o.ordered_at then 'delivered_at is before the order was placed'
        end as reason
    from affected_shipments as a
    inner join mirror.shipments as s on a.shipment_id = s.shipment_id
    inner join mirror.orders as o on s.order_id = o.order_id
) as judged
where judged.reason is not null;

insert into audit.rejected_rows (run_id, table_name, source_key, reason, row_data)
select
    %(run_id)s,
    'shipments',
    x.shipment_id::text,
    x.reason,
    to_jsonb(m) - 'loaded_run_id' - 'merge_seq'
from refused_shipments as x
inner join mirror.shipments as m on x.shipment_id = m.shipment_id
on conflict do nothing;

delete from dw.fct_shipment as f
using refused_shipments as x
where f.shipment_id = x.shipment_id;

insert into dw.dim_customer (customer_id, region, segment, valid_from, is_inferred)
select distinct
    o.customer_id,
    'unknown',
    'unknown',
    '-infinity'::timestamptz,
    true
from affected_shipments as a
inner join mirror.shipments as s on a.shipment_id = s.shipment_id
inner join mirror.orders as o on s.order_id = o.order_id
where
    not exists (
        select from dw.dim_customer as d
        where d.customer_id = o.customer_id
    )
on conflict do nothing;

insert into dw.dim_carrier (carrier_code, carrier_name, is_inferred)
select distinct
    s.carrier_code,
    s.carrier_code,
    true
from affected_shipments as a
inner join mirror.shipments as s on a.shipment_id = s.shipment_id
on conflict (carrier_code) do nothing;

insert into dw.dim_fulfillment_center (fulfillment_center_code, is_inferred)
select distinct
    s.fulfillment_center_code,
    true
from affected_shipments as a
inner join mirror.shipments as s on a.shipment_id = s.shipment_id
on conflict (fulfillment_center_code) do nothing;

-- The bulk path writes the whole table in the next statement: its indexes and triggers wait.
select dw.set_aside_for_bulk_load('dw.fct_shipment')
from load_mode as m
where m.is_bulk;

-- Shipments whose order has not arrived yet wait in the mirror.
insert into dw.fct_shipment as f (
    shipment_id, order_id, order_date_key, customer_key, carrier_key, fulfillment_center_key, shipment_status,
    promised_at, shipped_at, delivered_at, delivered_date_key, is_delivered, is_on_time, days_to_deliver,
    days_late, shipping_cost, source_updated_at
)
select
    s.shipment_id,
    s.order_id,
    to_char(o.ordered_at at time zone 'UTC', 'YYYYMMDD')::integer as order_date_key,
    dc.customer_key,
    ca.carrier_key,
    fc.fulfillment_center_key,
    s.status as shipment_status,
    s.promised_at,
    s.shipped_at,
    s.delivered_at,
    to_char(s.delivered_at at time zone 'UTC', 'YYYYMMDD')::integer as delivered_date_key,
    s.delivered_at is not null as is_delivered,
    s.delivered_at <= s.promised_at as is_on_time,
    round((extract(epoch from s.delivered_at - s.shipped_at) / 86400)::numeric, 2) as days_to_deliver,
    round((greatest(extract(epoch from s.delivered_at - s.promised_at), 0) / 86400)::numeric, 2) as days_late,
    s.shipping_cost,
    greatest(s.updated_at, o.updated_at) as source_updated_at
from affected_shipments as a
inner join mirror.shipments as s on a.shipment_id = s.shipment_id
inner join mirror.orders as o on s.order_id = o.order_id
inner join dw.dim_customer as dc
    on
        o.customer_id = dc.customer_id
        and o.ordered_at >= dc.valid_from
        and o.ordered_at < dc.valid_to
inner join dw.dim_carrier as ca on s.carrier_code = ca.carrier_code
inner join dw.dim_fulfillment_center as fc on s.fulfillment_center_code = fc.fulfillment_center_code
where
    not exists (
        select from refused_shipments as x
        where x.shipment_id = a.shipment_id
    )
on conflict (shipment_id) do update
    set
        order_id = excluded.order_id,
        order_date_key = excluded.order_date_key,
        customer_key = excluded.customer_key,
        carrier_key = excluded.carrier_key,
        fulfillment_center_key = excluded.fulfillment_center_key,
        shipment_status = excluded.shipment_status,
        promised_at = excluded.promised_at,
        shipped_at = excluded.shipped_at,
        delivered_at = excluded.delivered_at,
        delivered_date_key = excluded.delivered_date_key,
        is_delivered = excluded.is_delivered,
        is_on_time = excluded.is_on_time,
        days_to_deliver = excluded.days_to_deliver,
        days_late = excluded.days_late,
        shipping_cost = excluded.shipping_cost,
        source_updated_at = excluded.source_updated_at
    where f is distinct from excluded;

select dw.restore_after_bulk_load('dw.fct_shipment')
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
    select f.order_date_key as day_key from dw.fct_shipment as f
    union
    select f.delivered_date_key as day_key from dw.fct_shipment as f
) as d
where d.day_key is not null and (select m.is_bulk from load_mode as m);

select dw.extend_calendar_between(to_date(min(d.day_key)::text, 'YYYYMMDD'), to_date(max(d.day_key)::text, 'YYYYMMDD'))
from (
    select f.order_date_key as day_key from dw.fct_shipment as f
    union all
    select f.delivered_date_key as day_key from dw.fct_shipment as f
) as d
where (select m.is_bulk from load_mode as m);

insert into audit.build_progress (target_table, built_through_merge_seq, run_id)
select
    'fct_shipment',
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
    if (select count(*) from affected_shipments) > 100000 then
        analyze dw.fct_shipment;
    end if;
end
$$;
