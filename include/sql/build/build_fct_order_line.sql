-- Rendered by `globalcart render-sql` from include/sql/templates/build/build_fct_order_line.sql.j2.
-- Rebuild the order lines touched by anything merged since the last build: the
-- line itself, its order (status, channel...), its customer (a new version), or
-- its product's price list (the cost valid when the order was placed).

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
            where p.target_table = 'fct_order_line'
        ), 0
    ) as built_after,
    (select case when s.is_called then s.last_value else 0 end from mirror.merge_seq as s) as built_through;

-- What changed in each table the facts are built from (the planner needs the sets' sizes).
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

create temp table changed_customers on commit drop as
select x.customer_id
from mirror.customers as x
where x.merge_seq > (select w.built_after from build_window as w);

analyze changed_customers;

create temp table changed_product_prices on commit drop as
select
    x.product_id,
    x.valid_from
from mirror.product_prices as x
where x.merge_seq > (select w.built_after from build_window as w);

analyze changed_product_prices;

create temp table changed_products on commit drop as
select x.product_id
from mirror.products as x
where x.merge_seq > (select w.built_after from build_window as w);

analyze changed_products;

-- A first load or a full refresh (the target still empty) takes the bulk path: the same rules
-- and the same rows, with the target's secondary indexes built once after the insert and its
-- triggers' work done once for the whole table. `globalcart.bulk_load = off` (a database or
-- session setting) keeps such a load on the row-by-row path.
create temp table load_mode on commit drop as
select
    coalesce(current_setting('globalcart.bulk_load', true), '') <> 'off'
    and (select w.built_after = 0 from build_window as w)
    and not exists (select from dw.fct_order_line) as is_bulk;

-- Whole tables are read, sorted and indexed: memory for the sorts, the hashes and the index builds.
select
    set_config('work_mem', '256MB', true),
    set_config('maintenance_work_mem', '512MB', true),
    set_config('random_page_cost', '4', true),
    set_config('join_collapse_limit', '8', true)
from load_mode as m
where m.is_bulk;

create temp table affected_order_items on commit drop as
select c.order_item_id
from changed_order_items as c
union
select i.order_item_id
from changed_orders as c
inner join mirror.order_items as i on c.order_id = i.order_id
union
select f.order_item_id
from changed_customers as c
inner join dw.dim_customer as d on c.customer_id = d.customer_id
inner join dw.fct_order_line as f on d.customer_key = f.customer_key
union
select f.order_item_id
from changed_product_prices as c
inner join dw.dim_product as d on c.product_id = d.product_id
inner join dw.fct_order_line as f on d.product_key = f.product_key and c.valid_from <= f.ordered_at
union
select f.order_item_id
from changed_products as c
inner join dw.dim_product as d on c.product_id = d.product_id
inner join dw.fct_order_line as f on d.product_key = f.product_key
where f.unit_cost is null
union
-- a product's new version (a category change) takes the lines ordered since it began
select f.order_item_id
from changed_products as c
inner join dw.dim_product as current_version on c.product_id = current_version.product_id
inner join dw.dim_product as d on c.product_id = d.product_id
inner join dw.fct_order_line as f on d.product_key = f.product_key and current_version.valid_from <= f.ordered_at
where current_version.is_current;

analyze affected_order_items;

-- Members a line refers to that have not arrived yet are inferred, to be completed later.
insert into dw.dim_customer (customer_id, region, segment, valid_from, is_inferred)
select distinct
    o.customer_id,
    'unknown',
    'unknown',
    '-infinity'::timestamptz,
    true
from affected_order_items as a
inner join mirror.order_items as i on a.order_item_id = i.order_item_id
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
from affected_order_items as a
inner join mirror.order_items as i on a.order_item_id = i.order_item_id
where
    not exists (
        select from dw.dim_product as d
        where d.product_id = i.product_id
    )
on conflict do nothing;

insert into dw.dim_channel (channel_code, channel_name)
select distinct
    o.channel,
    o.channel
from affected_order_items as a
inner join mirror.order_items as i on a.order_item_id = i.order_item_id
inner join mirror.orders as o on i.order_id = o.order_id
on conflict (channel_code) do nothing;

insert into dw.dim_promotion (promotion_id, promotion_code, is_inferred)
select distinct
    o.promotion_id,
    'inferred-' || o.promotion_id,
    true
from affected_order_items as a
inner join mirror.order_items as i on a.order_item_id = i.order_item_id
inner join mirror.orders as o on i.order_id = o.order_id
where o.promotion_id is not null
on conflict (promotion_id) do nothing;

-- The bulk path writes the whole table in the next statement: its indexes and triggers wait.
select dw.set_aside_for_bulk_load('dw.fct_order_line')
from load_mode as m
where m.is_bulk;

-- Lines whose order has not arrived yet wait in the mirror; the order's arrival rebuilds them.
insert into dw.fct_order_line as f (
    order_item_id, order_id, line_number, order_date_key, ordered_at, customer_key, product_key, channel_key,
    promotion_key, order_status, is_cancelled, quantity, unit_price, gross_amount, discount_amount, net_amount,
    unit_cost, cost_amount, source_updated_at
)
select
    i.order_item_id,
    i.order_id,
    i.line_number,
    to_char(o.ordered_at at time zone 'UTC', 'YYYYMMDD')::integer as order_date_key,
    o.ordered_at,
    dc.customer_key,
    dp.product_key,
    ch.channel_key,
    coalesce(pr.promotion_key, 0) as promotion_key,
    o.status as order_status,
    o.status = 'cancelled' as is_cancelled,
    i.quantity,
    i.unit_price,
    i.quantity * i.unit_price as gross_amount,
    i.discount_amount,
    i.quantity * i.unit_price - i.discount_amount as net_amount,
    dp.unit_cost,
    i.quantity * dp.unit_cost as cost_amount,
    greatest(i.updated_at, o.updated_at) as source_updated_at
from affected_order_items as a
inner join mirror.order_items as i on a.order_item_id = i.order_item_id
inner join mirror.orders as o on i.order_id = o.order_id
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
inner join dw.dim_channel as ch on o.channel = ch.channel_code
left join dw.dim_promotion as pr on o.promotion_id = pr.promotion_id
on conflict (order_item_id) do update
    set
        order_id = excluded.order_id,
        line_number = excluded.line_number,
        order_date_key = excluded.order_date_key,
        ordered_at = excluded.ordered_at,
        customer_key = excluded.customer_key,
        product_key = excluded.product_key,
        channel_key = excluded.channel_key,
        promotion_key = excluded.promotion_key,
        order_status = excluded.order_status,
        is_cancelled = excluded.is_cancelled,
        quantity = excluded.quantity,
        unit_price = excluded.unit_price,
        gross_amount = excluded.gross_amount,
        discount_amount = excluded.discount_amount,
        net_amount = excluded.net_amount,
        unit_cost = excluded.unit_cost,
        cost_amount = excluded.cost_amount,
        source_updated_at = excluded.source_updated_at
    where f is distinct from excluded;

select dw.restore_after_bulk_load('dw.fct_order_line')
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
    select f.order_date_key as day_key from dw.fct_order_line as f
) as d
where d.day_key is not null and (select m.is_bulk from load_mode as m);

select dw.extend_calendar_between(to_date(min(d.day_key)::text, 'YYYYMMDD'), to_date(max(d.day_key)::text, 'YYYYMMDD'))
from (
    select f.order_date_key as day_key from dw.fct_order_line as f
) as d
where (select m.is_bulk from load_mode as m);

insert into audit.build_progress (target_table, built_through_merge_seq, run_id)
select
    'fct_order_line',
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
    if (select count(*) from affected_order_items) > 100000 then
        analyze dw.fct_order_line;
    end if;
end
$$;
