-- On-time share by carrier and fulfillment center, for the heatmap.
select
    s.carrier,
    s.fulfillment_center,
    s.deliveries,
    s.on_time_pct::float8
from marts.sla_on_time as s
where s.dimension_name = 'carrier_fulfillment_center'
order by s.carrier, s.fulfillment_center;
