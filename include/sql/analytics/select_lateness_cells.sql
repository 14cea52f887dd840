-- The delivered parcels by everything the lateness model looks at: one row per
-- carrier, fulfillment center, region, order weekday and order size (units,
-- capped at 10), with how many parcels there were and how many came late. The
-- model is fitted on these counts, which is the same as fitting it on every parcel.
-- Order sizes come from analytics.order_state when %(state_is_built)s: orders
-- noted as changed since it was refreshed, and orders with a line after the
-- as-of date, are counted from the facts; without the state, every order is.
with recounted as (
    select c.order_id
    from analytics.changed_orders as c
    union
    select s.order_id
    from analytics.order_state as s
    where
        s.first_date_key <= to_char(%(as_of)s::date, 'YYYYMMDD')::integer
        and s.last_date_key > to_char(%(as_of)s::date, 'YYYYMMDD')::integer
),

order_units as (
    select
        s.order_id,
        least(s.units, 10) as order_units
    from analytics.order_state as s
    where
        %(state_is_built)s
        and s.last_date_key <= to_char(%(as_of)s::date, 'YYYYMMDD')::integer
        and not exists (
            select from recounted as x
            where x.order_id = s.order_id
        )
    union all
    select
        f.order_id,
        least(sum(f.quantity), 10) as order_units
    from dw.fct_order_line as f
    inner join recounted as x on f.order_id = x.order_id
    where
        %(state_is_built)s
        and f.order_date_key <= to_char(%(as_of)s::date, 'YYYYMMDD')::integer
    group by f.order_id
    union all
    select
        f.order_id,
        least(sum(f.quantity), 10) as order_units
    from dw.fct_order_line as f
    where
        not %(state_is_built)s
        and f.order_date_key <= to_char(%(as_of)s::date, 'YYYYMMDD')::integer
    group by f.order_id
)

select
    ca.carrier_code as carrier,
    fc.fulfillment_center_code as fulfillment_center,
    c.region,
    to_char(d.calendar_date, 'Dy') as weekday,
    u.order_units,
    count(*) as shipments,
    count(*) filter (where not s.is_on_time) as late
from dw.fct_shipment as s
inner join order_units as u on s.order_id = u.order_id
inner join dw.dim_date as d on s.order_date_key = d.date_key
inner join dw.dim_carrier as ca on s.carrier_key = ca.carrier_key
inner join dw.dim_fulfillment_center as fc on s.fulfillment_center_key = fc.fulfillment_center_key
inner join dw.dim_customer as c on s.customer_key = c.customer_key
where
    s.is_delivered
    and s.delivered_at < %(as_of)s::date + 1
group by ca.carrier_code, fc.fulfillment_center_code, c.region, to_char(d.calendar_date, 'Dy'), u.order_units;
