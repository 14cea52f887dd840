-- The published daily cube's rows: the additive parts of every KPI per day, channel,
-- customer region and product category, so a BI tool re-aggregates any ratio for any
-- filter and period from its numerator and denominator (docs/bi.md). The same facts,
-- joins and attribution as kpi.kpi_day_parts_between (the previous definition); the
-- quality gate holds the cube's daily totals to the whole-shop KPI tables.
--
-- A part a dimension does not cut sits on the value 'all' of that dimension, as the KPI
-- tables leave it empty: deliveries are cut by region only (channel and category 'all'),
-- payments by region and channel (category 'all').
--
-- Orders are counted twice: `orders` once per order, on the category of its first line
-- (additive over every dimension), and `orders_in_category` once in each category the
-- order bought from (the by-category order count of the KPI tables; it does not add up
-- over categories).
drop function if exists kpi.kpi_cube_parts_between(date, date) cascade;

create function kpi.kpi_cube_parts_between(first_day date, last_day date)
returns table (
    period_start date,
    channel text,
    region text,
    category text,
    orders bigint,
    orders_in_category bigint,
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
    orders_with_decline bigint
)
language sql
stable
as $$
with order_lines as (
    select
        to_date(f.order_date_key::text, 'YYYYMMDD') as order_date,
        p.category,
        c.region,
        ch.channel_code as channel,
        (f.line_number = 1)::integer as is_first_line_of_order,
        (row_number() over (partition by f.order_id, p.category) = 1)::integer as is_first_line_of_category,
        f.quantity as units,
        f.gross_amount,
        f.discount_amount,
        coalesce(r.returned_units, 0) as returned_units,
        round(f.net_amount * coalesce(r.returned_units, 0) / f.quantity, 2) as returned_amount,
        coalesce(r.refund_amount, 0) as refund_amount,
        f.unit_cost * (f.quantity - coalesce(r.returned_units, 0)) as cost_of_goods,
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
    where
        not f.is_cancelled
        and f.order_date_key between kpi.date_key(first_day) and kpi.date_key(last_day)
),

sales_parts as (
    select
        l.order_date as period_start,
        l.channel,
        l.region,
        l.category,
        sum(l.is_first_line_of_order)::bigint as orders,
        sum(l.is_first_line_of_category)::bigint as orders_in_category,
        sum(l.units)::bigint as units,
        sum(l.gross_amount) as gross_sales,
        sum(l.discount_amount) as discounts,
        sum(l.returned_units)::bigint as returned_units,
        sum(l.returned_amount) as returns_amount,
        sum(l.refund_amount) as refunds,
        sum(l.cost_of_goods) as cost_of_goods,
        count(*) filter (where l.cost_of_goods is null) as lines_without_cost,
        sum(l.shipping_cost) as shipping_cost
    from order_lines as l
    group by l.order_date, l.channel, l.region, l.category
),

delivery_parts as (
    select
        (s.delivered_at at time zone 'UTC')::date as period_start,
        'all'::text as channel,
        c.region,
        'all'::text as category,
        count(*) as deliveries,
        count(*) filter (where s.is_on_time) as deliveries_on_time,
        sum(s.days_to_deliver) as days_to_deliver
    from dw.fct_shipment as s
    inner join dw.dim_customer as c on s.customer_key = c.customer_key
    inner join dw.dim_carrier as ca on s.carrier_key = ca.carrier_key
    inner join dw.dim_fulfillment_center as fc on s.fulfillment_center_key = fc.fulfillment_center_key
    where
        s.is_delivered
        and s.delivered_date_key between kpi.date_key(first_day) and kpi.date_key(last_day)
    group by (s.delivered_at at time zone 'UTC')::date, c.region
),

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
    where p.order_id in (
        select a.order_id from dw.fct_payment_attempt as a
        where a.attempt_date_key between kpi.date_key(first_day) and kpi.date_key(last_day)
    )
    group by p.order_id
    having (min(p.attempted_at) at time zone 'UTC')::date between first_day and last_day
),

payment_parts as (
    select
        p.first_attempt_date as period_start,
        p.channel,
        p.region,
        'all'::text as category,
        sum(p.attempts)::bigint as payment_attempts,
        sum(p.declined_attempts)::bigint as declined_attempts,
        sum(p.authorized_attempts)::bigint as authorized_attempts,
        count(*) as paying_orders,
        sum(p.is_authorized)::bigint as authorized_orders,
        sum(p.had_decline)::bigint as orders_with_decline
    from order_payments as p
    group by p.first_attempt_date, p.channel, p.region
)

select
    period_start,
    channel,
    region,
    category,
    s.orders,
    s.orders_in_category,
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
full outer join delivery_parts as d using (period_start, channel, region, category)
full outer join payment_parts as p using (period_start, channel, region, category)
$$;
