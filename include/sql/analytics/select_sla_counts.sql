-- What the on-time build found, for its status row.
select
    (
        select coalesce(sum(s.deliveries), 0) from candidate.sla_on_time as s
        where s.dimension_name = 'carrier'
    ) as deliveries,
    (select count(*) from candidate.sla_on_time) as sla_rows;
