-- Every KPI, defined once: the published tables, Python, the Excel pack and BI tools
-- all read it from here.
--
-- kpi.kpi_values_between(first_day, last_day) computes every KPI for the days in
-- that range and for the months they make up; kpi.kpi_values is the same over all
-- time. Every KPI is a formula over additive daily parts (sums and counts), and a
-- month's parts are the sums of its days' parts, so no ratio is ever averaged.
-- kpi.kpi_day_parts keeps those daily parts: each run's candidate build recomputes
-- the parts of the days whose facts changed (kpi.kpi_dirty_days, filled by triggers
-- on the facts), reading only those days' facts, and the KPIs of their months from
-- the kept parts, so a run's cost follows its change, not the warehouse. The
-- catalog (include/globalcart/marts/catalog.py) says in words what each column means.
--
-- Attribution: sales, returns, refunds and shipping cost belong to the day the
-- order was placed; deliveries to the day of delivery; payments to the day of
-- the order's first payment attempt. Cancelled orders are not sales.

-- Everything below is dropped and created again together when this file changes;
-- kpi.kpi_values (the next file) depends on it and is re-applied after it.
drop function if exists kpi.kpi_values_between(date, date) cascade;
drop function if exists kpi.kpi_values_between(date, date, boolean) cascade;
drop function if exists kpi.kpi_day_parts_between(date, date) cascade;
drop function if exists kpi.date_key(date) cascade;
drop table if exists kpi.kpi_day_parts cascade;

-- The facts' yyyymmdd date keys; the open ends of an unbounded range map past every key.
create function kpi.date_key(day date) returns integer
language sql
immutable
as $$
    select case
        when day = '-infinity' then -2147483648
        when day = 'infinity' then 2147483647
        else (extract(year from day) * 10000 + extract(month from day) * 100 + extract(day from day))::integer
    end
$$;

-- The additive parts of every KPI per day, for the whole shop and by each dimension
-- that applies: a cache of kpi.kpi_day_parts_between over the facts, kept by the
-- candidate build (include/sql/publish/) for the days marked dirty. Rebuilt from the
-- facts whenever this file changes (the mark of -infinity below).
create table kpi.kpi_day_parts (
    period_start date not null,
    dimension_name text not null,
    dimension_value text not null,
    orders bigint,
    units bigint,
    gross_sales numeric,
    discounts numeric,
    returned_units bigint,
    returns_amount numeric,
    refunds numeric,
    cost_of_goods numeric,
    lines_without_cost bigint,
    shipping_cost numeric,
    deliveries bigint,
    deliveries_on_time bigint,
    days_to_deliver numeric,
    payment_attempts bigint,
    declined_attempts bigint,
    authorized_attempts bigint,
    paying_orders bigint,
    authorized_orders bigint,
    orders_with_decline bigint,
    primary key (period_start, dimension_name, dimension_value)
);

-- The daily parts computed from the facts of the days first_day..last_day. Facts are
-- picked by their date keys, so a few days read only those days' rows.
create function kpi.kpi_day_parts_between(first_day date, last_day date)
returns setof kpi.kpi_day_parts
language sql
stable
as $$
-- One row per order line of an order not cancelled.
with order_lines as (
    select
        f.order_id,
        to_date(f.order_date_key::text, 'YYYYMMDD') as order_date,
        p.category,
        c.region,
        ch.channel_code as channel,
        coalesce(ca.carrier_code, 'not shipped') as carrier,
        coalesce(fc.fulfillment_center_code, 'not shipped') as fulfillment_center,
        -- an order counts once overall, and once in each category it bought from
        (f.line_number = 1)::integer as is_first_line_of_order,
        (row_number() over (partition by f.order_id, p.category) = 1)::integer as is_first_line_of_category,
        f.quantity as units,
        f.gross_amount,
        f.discount_amount,
        coalesce(r.returned_units, 0) as returned_units,
        -- returned units are valued at what the customer paid for them
        round(f.net_amount * coalesce(r.returned_units, 0) / f.quantity, 2) as returned_amount,
        coalesce(r.refund_amount, 0) as refund_amount,
        -- returned goods go back to stock, so their cost is not a cost of goods sold
        f.unit_cost * (f.quantity - coalesce(r.returned_units, 0)) as cost_of_goods,
        -- the order's shipping cost, shared over its lines by gross amount
        coalesce(
            s.shipping_cost * f.gross_amount / nullif(sum(f.gross_amount) over (partition by f.order_id), 0), 0
        ) as shipping_cost
    from dw.fct_order_line as f
    inner join dw.dim_product as p on f.product_key = p.product_key
    inner join dw.dim_customer as c on f.customer_key = c.customer_key
    inner join dw.dim_channel as ch on f.channel_key = ch.channel_key
    -- each line's returns by its index, so a day's lines read only their own returns
    left join lateral (
        select
            sum(rl.quantity) as returned_units,
            sum(rl.refund_amount) as refund_amount
        from dw.fct_return_line as rl
        where rl.order_item_id = f.order_item_id and rl.return_status <> 'rejected'
    ) as r on true
    left join dw.fct_shipment as s on f.order_id = s.order_id
    left join dw.dim_carrier as ca on s.carrier_key = ca.carrier_key
    left join dw.dim_fulfillment_center as fc on s.fulfillment_center_key = fc.fulfillment_center_key
    where
        not f.is_cancelled
        and f.order_date_key between kpi.date_key(first_day) and kpi.date_key(last_day)
),

-- One row per delivered shipment.
deliveries as (
    select
        (s.delivered_at at time zone 'UTC')::date as delivered_date,
        c.region,
        ca.carrier_code as carrier,
        fc.fulfillment_center_code as fulfillment_center,
        s.is_on_time,
        s.days_to_deliver
    from dw.fct_shipment as s
    inner join dw.dim_customer as c on s.customer_key = c.customer_key
    inner join dw.dim_carrier as ca on s.carrier_key = ca.carrier_key
    inner join dw.dim_fulfillment_center as fc on s.fulfillment_center_key = fc.fulfillment_center_key
    where
        s.is_delivered
        and s.delivered_date_key between kpi.date_key(first_day) and kpi.date_key(last_day)
),

-- One row per order that tried to pay.
order_payments as (
    select
        (min(p.attempted_at) at time zone 'UTC')::date as first_attempt_date,
        min(c.region) as region,
        min(ch.channel_code) as channel,
        count(*) as attempts,
        count(*) filter (where p.is_declined) as declined_attempts,
        count(*) filter (where p.payment_status in ('authorized', 'captured', 'refunded')) as authorized_attempts,
        bool_or(p.payment_status in ('authorized', 'captured', 'refunded'))::integer as is_authorized,
        bool_or(p.is_declined)::integer as had_decline
    from dw.fct_payment_attempt as p
    inner join dw.dim_customer as c on p.customer_key = c.customer_key
    inner join dw.dim_channel as ch on p.channel_key = ch.channel_key
    -- an order whose first attempt is in the range has an attempt in the range
    where p.order_id in (
        select a.order_id from dw.fct_payment_attempt as a
        where a.attempt_date_key between kpi.date_key(first_day) and kpi.date_key(last_day)
    )
    group by p.order_id
    having (min(p.attempted_at) at time zone 'UTC')::date between first_day and last_day
),

-- The additive parts of every KPI, per day, for the whole shop and by each
-- dimension that applies. Each family of facts is added up on its own.
sales_parts as (
    select
        l.order_date as period_start,
        case
            when grouping(l.category) = 0 then 'category'
            when grouping(l.region) = 0 then 'region'
            when grouping(l.channel) = 0 then 'channel'
            when grouping(l.carrier) = 0 then 'carrier'
            when grouping(l.fulfillment_center) = 0 then 'fulfillment_center'
            else 'all'
        end as dimension_name,
        coalesce(l.category, l.region, l.channel, l.carrier, l.fulfillment_center, 'all') as dimension_value,
        case
            when grouping(l.category) = 0 then sum(l.is_first_line_of_category)
            else sum(l.is_first_line_of_order)
        end as orders,
        sum(l.units) as units,
        sum(l.gross_amount) as gross_sales,
        sum(l.discount_amount) as discounts,
        sum(l.returned_units) as returned_units,
        sum(l.returned_amount) as returns_amount,
        sum(l.refund_amount) as refunds,
        sum(l.cost_of_goods) as cost_of_goods,
        count(*) filter (where l.cost_of_goods is null) as lines_without_cost,
        sum(l.shipping_cost) as shipping_cost
    from order_lines as l
    group by grouping sets (
        (l.order_date),
        (l.order_date, l.category),
        (l.order_date, l.region),
        (l.order_date, l.channel),
        (l.order_date, l.carrier),
        (l.order_date, l.fulfillment_center)
    )
),

delivery_parts as (
    select
        d.delivered_date as period_start,
        case
            when grouping(d.region) = 0 then 'region'
            when grouping(d.carrier) = 0 then 'carrier'
            when grouping(d.fulfillment_center) = 0 then 'fulfillment_center'
            else 'all'
        end as dimension_name,
        coalesce(d.region, d.carrier, d.fulfillment_center, 'all') as dimension_value,
        count(*) as deliveries,
        count(*) filter (where d.is_on_time) as deliveries_on_time,
        sum(d.days_to_deliver) as days_to_deliver
    from deliveries as d
    group by grouping sets (
        (d.delivered_date),
        (d.delivered_date, d.region),
        (d.delivered_date, d.carrier),
        (d.delivered_date, d.fulfillment_center)
    )
),

payment_parts as (
    select
        p.first_attempt_date as period_start,
        case
            when grouping(p.region) = 0 then 'region'
            when grouping(p.channel) = 0 then 'channel'
            else 'all'
        end as dimension_name,
        coalesce(p.region, p.channel, 'all') as dimension_value,
        sum(p.attempts) as payment_attempts,
        sum(p.declined_attempts) as declined_attempts,
        sum(p.authorized_attempts) as authorized_attempts,
        count(*) as paying_orders,
        sum(p.is_authorized) as authorized_orders,
        sum(p.had_decline) as orders_with_decline
    from order_payments as p
    group by grouping sets (
        (p.first_attempt_date),
        (p.first_attempt_date, p.region),
        (p.first_attempt_date, p.channel)
    )
),

daily_parts as (
    select
        period_start,
        dimension_name,
        dimension_value,
        s.orders,
        s.units,
        s.gross_sales,
        s.discounts,
        s.returned_units,
        s.returns_amount,
        s.refunds,
        s.cost_of_goods,
        s.lines_without_cost,
        s.shipping_cost,
        d.deliveries,
        d.deliveries_on_time,
        d.days_to_deliver,
        p.payment_attempts,
        p.declined_attempts,
        p.authorized_attempts,
        p.paying_orders,
        p.authorized_orders,
        p.orders_with_decline
    from sales_parts as s
    full outer join delivery_parts as d using (period_start, dimension_name, dimension_value)
    full outer join payment_parts as p using (period_start, dimension_name, dimension_value)
)

select * from daily_parts
$$;

-- Every KPI for the days first_day..last_day and the months they make up, from
-- daily parts computed from the facts (the definition the published tables must
-- equal) or, with from_kept_parts, read from kpi.kpi_day_parts (the candidate
-- build). One set of formulas and month sums serves both.
create function kpi.kpi_values_between(first_day date, last_day date, from_kept_parts boolean default false)
returns table (
    grain text,
    period_start date,
    dimension_name text,
    dimension_value text,
    gross_sales numeric,
    discounts numeric,
    returns_amount numeric,
    net_sales numeric,
    cost_of_goods numeric,
    gross_margin numeric,
    gross_margin_pct numeric,
    orders bigint,
    units bigint,
    average_order_value numeric,
    discount_rate numeric,
    returned_units bigint,
    return_rate_units numeric,
    return_rate_value numeric,
    refunds numeric,
    shipping_cost numeric,
    shipping_cost_share numeric,
    deliveries bigint,
    on_time_delivery_pct numeric,
    average_days_to_deliver numeric,
    payment_attempts bigint,
    authorization_rate_attempts numeric,
    decline_rate_attempts numeric,
    paying_orders bigint,
    authorization_rate_orders numeric,
    decline_rate_orders numeric,
    lines_without_cost bigint
)
language sql
stable
as $$
with daily_parts as materialized (
    select k.* from kpi.kpi_day_parts as k
    where from_kept_parts and k.period_start between first_day and last_day
    union all
    select c.* from kpi.kpi_day_parts_between(first_day, last_day) as c
    where not from_kept_parts
),

parts as (
    select 'day' as grain, p.* from daily_parts as p
    union all
    select
        'month',
        date_trunc('month', p.period_start::timestamp)::date,
        p.dimension_name,
        p.dimension_value,
        sum(p.orders),
        sum(p.units),
        sum(p.gross_sales),
        sum(p.discounts),
        sum(p.returned_units),
        sum(p.returns_amount),
        sum(p.refunds),
        sum(p.cost_of_goods),
        sum(p.lines_without_cost),
        sum(p.shipping_cost),
        sum(p.deliveries),
        sum(p.deliveries_on_time),
        sum(p.days_to_deliver),
        sum(p.payment_attempts),
        sum(p.declined_attempts),
        sum(p.authorized_attempts),
        sum(p.paying_orders),
        sum(p.authorized_orders),
        sum(p.orders_with_decline)
    from daily_parts as p
    group by date_trunc('month', p.period_start::timestamp)::date, p.dimension_name, p.dimension_value
),

-- The formulas, written once for every grain.
final as (
    select
        p.grain,
        p.period_start,
        p.dimension_name,
        p.dimension_value,
        p.gross_sales,
        p.discounts,
        p.returns_amount,
        p.gross_sales - p.discounts - p.returns_amount as net_sales,
        p.cost_of_goods,
        p.gross_sales - p.discounts - p.returns_amount - p.cost_of_goods as gross_margin,
        round(
            (p.gross_sales - p.discounts - p.returns_amount - p.cost_of_goods)
            / nullif(p.gross_sales - p.discounts - p.returns_amount, 0), 4
        ) as gross_margin_pct,
        p.orders::bigint,
        p.units::bigint,
        round((p.gross_sales - p.discounts) / nullif(p.orders, 0), 2) as average_order_value,
        round(p.discounts / nullif(p.gross_sales, 0), 4) as discount_rate,
        p.returned_units::bigint,
        round(p.returned_units::numeric / nullif(p.units, 0), 4) as return_rate_units,
        round(p.returns_amount / nullif(p.gross_sales - p.discounts, 0), 4) as return_rate_value,
        p.refunds,
        round(p.shipping_cost, 2) as shipping_cost,
        round(p.shipping_cost / nullif(p.gross_sales - p.discounts - p.returns_amount, 0), 4) as shipping_cost_share,
        p.deliveries::bigint,
        round(p.deliveries_on_time::numeric / nullif(p.deliveries, 0), 4) as on_time_delivery_pct,
        round(p.days_to_deliver / nullif(p.deliveries, 0), 2) as average_days_to_deliver,
        p.payment_attempts::bigint,
        round(p.authorized_attempts::numeric / nullif(p.payment_attempts, 0), 4) as authorization_rate_attempts,
        round(p.declined_attempts::numeric / nullif(p.payment_attempts, 0), 4) as decline_rate_attempts,
        p.paying_orders::bigint,
        round(p.authorized_orders::numeric / nullif(p.paying_orders, 0), 4) as authorization_rate_orders,
        round(p.orders_with_decline::numeric / nullif(p.paying_orders, 0), 4) as decline_rate_orders,
        p.lines_without_cost::bigint
    from parts as p
)

select * from final
$$;

-- A changed definition changes every KPI row, so none may be carried over from the
-- published tables: the next candidate build recomputes them all, and the kept parts.
insert into kpi.kpi_dirty_days (calendar_date) values ('-infinity');
