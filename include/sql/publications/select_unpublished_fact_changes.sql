-- The days whose facts changed since a KPI publication last covered them: every change
-- to a fact marks its days in kpi.kpi_dirty_days, and only the publication that covered
-- a mark clears it. A mark of -infinity alone (a changed KPI definition) changes no fact.
select
    count(*) as marks,
    min(d.calendar_date) as first_day,
    max(d.calendar_date) as last_day
from kpi.kpi_dirty_days as d
where isfinite(d.calendar_date);
