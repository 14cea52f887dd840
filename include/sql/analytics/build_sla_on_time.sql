-- Delivery SLA as of %(as_of)s: the on-time share of the parcels delivered by then, by
-- carrier, fulfillment center, the customer's region, and carrier x center.
-- Written to `candidate`. worst_rank orders each dimension from the lowest
-- on-time share, ranking values with at least %(min_deliveries)s deliveries first,
-- so a handful of parcels cannot top the list.
-- For this transaction, so the lateness cells that follow group in memory too.
set local work_mem = '256MB';

drop table if exists candidate.sla_on_time;
create table candidate.sla_on_time (like marts.sla_on_time including all);

insert into candidate.sla_on_time
with delivered as (
    select
        ca.carrier_code as carrier,
        fc.fulfillment_center_code as fulfillment_center,
        c.region,
        s.is_on_time,
        s.days_late
    from dw.fct_shipment as s
    inner join dw.dim_carrier as ca on s.carrier_key = ca.carrier_key
    inner join dw.dim_fulfillment_center as fc on s.fulfillment_center_key = fc.fulfillment_center_key
    inner join dw.dim_customer as c on s.customer_key = c.customer_key
    where
        s.is_delivered
        and s.delivered_at < %(as_of)s::date + 1
),

grouped as (
    select
        case
            when grouping(d.carrier) = 0 and grouping(d.fulfillment_center) = 0 then 'carrier_fulfillment_center'
            when grouping(d.carrier) = 0 then 'carrier'
            when grouping(d.fulfillment_center) = 0 then 'fulfillment_center'
            else 'region'
        end as dimension_name,
        case when grouping(d.carrier) = 0 then d.carrier end as carrier,
        case when grouping(d.fulfillment_center) = 0 then d.fulfillment_center end as fulfillment_center,
        case when grouping(d.region) = 0 then d.region end as region,
        count(*) as deliveries,
        count(*) filter (where d.is_on_time) as on_time_deliveries,
        round(avg(d.days_late) filter (where not d.is_on_time), 2) as average_days_late
    from delivered as d
    group by grouping sets ((d.carrier), (d.fulfillment_center), (d.region), (d.carrier, d.fulfillment_center))
)

select
    g.dimension_name,
    concat_ws(' / ', g.carrier, g.fulfillment_center, g.region) as dimension_value,
    g.carrier,
    g.fulfillment_center,
    g.region,
    g.deliveries,
    g.on_time_deliveries,
    round(g.on_time_deliveries::numeric / g.deliveries, 6) as on_time_pct,
    g.average_days_late,
    row_number() over (
        partition by g.dimension_name
        order by
            g.deliveries >= %(min_deliveries)s desc, g.on_time_deliveries::numeric / g.deliveries, g.deliveries desc
    ) as worst_rank
from grouped as g;
