select
    (select count(*) from candidate.kpi_daily) as daily_rows,
    (select count(*) from candidate.kpi_monthly) as monthly_rows;
