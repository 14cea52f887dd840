-- The on-time share by carrier × fulfillment center, as of the published analytics run.
select
    s.carrier,
    s.fulfillment_center,
    s.deliveries,
    s.on_time_deliveries,
    s.on_time_pct,
    s.average_days_late
from marts.sla_on_time as s
where s.dimension_name = 'carrier_fulfillment_center'
order by s.carrier, s.fulfillment_center;
