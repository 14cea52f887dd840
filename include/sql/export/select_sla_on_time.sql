-- The published on-time delivery by each cut, worst first within it.
select
    s.dimension_name,
    s.dimension_value,
    s.carrier,
    s.fulfillment_center,
    s.region,
    s.deliveries,
    s.on_time_deliveries,
    s.on_time_pct,
    s.average_days_late,
    s.worst_rank
from marts.sla_on_time as s
order by s.dimension_name, s.worst_rank, s.dimension_value;
