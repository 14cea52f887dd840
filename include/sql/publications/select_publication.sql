select
    p.outcome,
    p.failed_critical,
    p.failed_warning,
    p.kpi_daily_rows,
    p.kpi_monthly_rows
from audit.publications as p
where p.run_id = %(run_id)s;
