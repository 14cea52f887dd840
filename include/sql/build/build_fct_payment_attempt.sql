-- Rendered by `globalcart render-sql` from include/sql/templates/build/build_fct_payment_attempt.sql.j2.
-- Rebuild the payment attempts touched by anything merged since the last build:
-- the attempt itself or its order (customer, channel). An attempt before its
-- order was placed (contracts.py) stays out.

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
            where p.target_table = 'fct_payment_attempt'
        ), 0
    ) as built_after,
    (select case when s.is_called then s.last_value else 0 end from mirror.merge_seq as s) as built_through;

-- What changed in each table the facts are built from (the planner needs the sets' sizes).
create temp table changed_payments on commit drop as
select x.payment_id
from mirror.payments as x
where x.merge_seq > (select w.built_after from build_window as w);

analyze changed_payments;

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
    and not exists (select from dw.fct_payment_attempt) as is_bulk;

-- Whole tables are read, sorted and indexed: memory for the sorts, the hashes and the index builds.
select
    set_config('work_mem', '256MB', true),
    set_config('maintenance_work_mem', '512MB', true),
    set_config('random_page_cost', '4', true),
    set_config('join_collapse_limit', '8', true)
from load_mode as m
where m.is_bulk;

create temp table affected_payments on commit drop as
select c.payment_id
from changed_payments as c
union
select p.payment_id
from changed_orders as c
inner join mirror.payments as p on c.order_id = p.order_id
union
select f.payment_id
from changed_customers as c
inner join dw.dim_customer as d on c.customer_id = d.customer_id
inner join dw.fct_payment_attempt as f on d.customer_key = f.customer_key;

analyze affected_payments;

-- Attempts that break a rule against their order: refused, kept with the reason.
create temp table refused_payments on commit drop as
select judged.*
from (
    select
        p.payment_id,
        case
            when p.attempted_at < o.ordered_at then 'attempted_at is before the order was placed'
        end as reason
    from affected_payments as a
    inner join mirror.payments as p on a.payment_id = p.payment_id
    inner join mirror.orders as o on p.order_id = o.order_id
) as judged
where judged.reason is not null;

insert into audit.rejected_rows (run_id, table_name, source_key, reason, row_data)
select
    %(run_id)s,
    'payments',
    x.payment_id::text,
    x.reason,
    to_jsonb(m) - 'loaded_run_id' - 'merge_seq'
from refused_payments as x
inner join mirror.payments as m on x.payment_id = m.payment_id
on conflict do nothing;

delete from dw.fct_payment_attempt as f
using refused_payments as x
where f.payment_id = x.payment_id;

insert into dw.dim_customer (customer_id, region, segment, valid_from, is_inferred)
select distinct
    o.customer_id,
    'unknown',
    'unknown',
    '-infinity'::timestamptz,
    true
from affected_payments as a
inner join mirror.payments as p on a.payment_id = p.payment_id
inner join mirror.orders as o on p.order_id = o.order_id
where
    not exists (
        select from dw.dim_customer as d
        where d.customer_id = o.customer_id
    )
on conflict do nothing;

insert into dw.dim_payment_method (payment_method_code, payment_method_name)
select distinct
    p.payment_method,
    p.payment_method
from affected_payments as a
inner join mirror.payments as p on a.payment_id = p.payment_id
on conflict (payment_method_code) do nothing;

insert into dw.dim_channel (channel_code, channel_name)
select distinct
    o.channel,
    o.channel
from affected_payments as a
inner join mirror.payments as p on a.payment_id = p.payment_id
inner join mirror.orders as o on p.order_id = o.order_id
on conflict (channel_code) do nothing;

-- The bulk path writes the whole table in the next statement: its indexes and triggers wait.
select dw.set_aside_for_bulk_load('dw.fct_payment_attempt')
from load_mode as m
where m.is_bulk;

-- Attempts whose order has not arrived yet wait in the mirror.
insert into dw.fct_payment_attempt as f (
    payment_id, order_id, attempt_date_key, attempted_at, customer_key, channel_key, payment_method_key,
    provider, attempt_number, payment_status, is_declined, decline_reason, amount, source_updated_at
)
select
    p.payment_id,
    p.order_id,
    to_char(p.attempted_at at time zone 'UTC', 'YYYYMMDD')::integer as attempt_date_key,
    p.attempted_at,
    dc.customer_key,
    ch.channel_key,
    pm.payment_method_key,
    p.provider,
    p.attempt_number,
    p.status as payment_status,
    p.status = 'declined' as is_declined,
    p.decline_reason,
    p.amount,
    greatest(p.updated_at, o.updated_at) as source_updated_at
from affected_payments as a
inner join mirror.payments as p on a.payment_id = p.payment_id
inner join mirror.orders as o on p.order_id = o.order_id
inner join dw.dim_customer as dc
    on
        o.customer_id = dc.customer_id
        and o.ordered_at >= dc.valid_from
        and o.ordered_at < dc.valid_to
inner join dw.dim_channel as ch on o.channel = ch.channel_code
inner join dw.dim_payment_method as pm on p.payment_method = pm.payment_method_code
where
    not exists (
        select from refused_payments as x
        where x.payment_id = a.payment_id
    )
on conflict (payment_id) do update
    set
        order_id = excluded.order_id,
        attempt_date_key = excluded.attempt_date_key,
        attempted_at = excluded.attempted_at,
        customer_key = excluded.customer_key,
        channel_key = excluded.channel_key,
        payment_method_key = excluded.payment_method_key,
        provider = excluded.provider,
        attempt_number = excluded.attempt_number,
        payment_status = excluded.payment_status,
        is_declined = excluded.is_declined,
        decline_reason = excluded.decline_reason,
        amount = excluded.amount,
        source_updated_at = excluded.source_updated_at
    where f is distinct from excluded;

select dw.restore_after_bulk_load('dw.fct_payment_attempt')
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
    select f.attempt_date_key as day_key from dw.fct_payment_attempt as f
) as d
where d.day_key is not null and (select m.is_bulk from load_mode as m);

select dw.extend_calendar_between(to_date(min(d.day_key)::text, 'YYYYMMDD'), to_date(max(d.day_key)::text, 'YYYYMMDD'))
from (
    select f.attempt_date_key as day_key from dw.fct_payment_attempt as f
) as d
where (select m.is_bulk from load_mode as m);

insert into audit.build_progress (target_table, built_through_merge_seq, run_id)
select
    'fct_payment_attempt',
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
    if (select count(*) from affected_payments) > 100000 then
        analyze dw.fct_payment_attempt;
    end if;
end
$$;
