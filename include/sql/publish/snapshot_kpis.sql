-- The monthly KPIs of the whole shop as published now ('before') and as the
-- candidate tables would publish them ('after'), one row per month and KPI.
delete from audit.kpi_snapshots
where run_id = %(run_id)s;

insert into audit.kpi_snapshots (run_id, phase, period_start, kpi_name, kpi_value)
with monthly as (
    select
        'before' as phase,
        to_jsonb(p) as kpis
    from marts.kpi_monthly as p
    where p.dimension_name = 'all'
    union all
    select
        'after',
        to_jsonb(c)
    from candidate.kpi_monthly as c
    where c.dimension_name = 'all'
)

select
    %(run_id)s,
    m.phase,
    (m.kpis ->> 'period_start')::date,
    measure.key,
    measure.value::numeric
from monthly as m
cross join
    lateral jsonb_each_text(m.kpis - 'grain' - 'period_start' - 'dimension_name' - 'dimension_value') as measure;

-- Snapshots are kept for a while, not forever.
delete from audit.kpi_snapshots
where taken_at < now() - make_interval(days => %(retention_days)s);
