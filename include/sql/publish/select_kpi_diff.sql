-- The KPIs a run moved, largest relative moves first.
select
    d.period_start,
    d.kpi_name,
    d.value_before,
    d.value_after,
    d.change,
    d.relative_change
from audit.kpi_snapshot_diff as d
where d.run_id = %(run_id)s
order by abs(coalesce(d.relative_change, 1)) desc, d.period_start desc, d.kpi_name asc;
