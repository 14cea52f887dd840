-- Which KPIs a run moved, and by how much.
drop view if exists audit.kpi_snapshot_diff;

create view audit.kpi_snapshot_diff as
select
    coalesce(a.run_id, b.run_id) as run_id,
    coalesce(a.period_start, b.period_start) as period_start,
    coalesce(a.kpi_name, b.kpi_name) as kpi_name,
    b.kpi_value as value_before,
    a.kpi_value as value_after,
    a.kpi_value - b.kpi_value as change,
    round((a.kpi_value - b.kpi_value) / nullif(abs(b.kpi_value), 0), 6) as relative_change
from (
    select * from audit.kpi_snapshots
    where phase = 'after'
) as a
full outer join (
    select * from audit.kpi_snapshots
    where phase = 'before'
) as b
    on a.run_id = b.run_id and a.period_start = b.period_start and a.kpi_name = b.kpi_name
where a.kpi_value is distinct from b.kpi_value;
