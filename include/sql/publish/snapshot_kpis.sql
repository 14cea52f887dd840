-- The monthly KPIs of the whole shop as published now ('before') and as the
-- candidate tables would publish them ('after'), one row per month and KPI.
delete from audit.kpi_snapshots
where run_id = %(run_id)s;

insert into audit.kpi_snapshots (run_id, phase, period_start, kpi_name, kpi_value)
select
    %(run_id)s,
    'before',
    m.period_start,
    kpi.key,
    kpi.value::numeric
from marts.kpi_monthly as m
cross join
    lateral jsonb_each_text(
        to_jsonb(m) - 'grain' - 'period_start' - 'dimension_name' - 'dimension_value'
    ) as kpi
where m.dimension_name = 'all';

insert into audit.kpi_snapshots (run_id, phase, period_start, kpi_name, kpi_value)
select
    %(run_id)s,
    'after',
    m.period_start,
    kpi.key,
    kpi.value::numeric
from candidate.kpi_monthly as m
cross join
    lateral jsonb_each_text(
        to_jsonb(m) - 'grain' - 'period_start' - 'dimension_name' - 'dimension_value'
    ) as kpi
where m.dimension_name = 'all';

-- Snapshots are kept for a while, not forever.
delete from audit.kpi_snapshots
where taken_at < now() - make_interval(days => %(retention_days)s);
