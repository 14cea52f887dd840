-- The daily cube's rows (day × channel × region × category) of the days marked dirty
-- (marks up to %(marked_through)s), recomputed from their facts. Read on a second
-- connection in the candidate build's own snapshot (it imports the build's exported
-- snapshot), while the build recomputes the KPI day parts: the two read the same facts
-- and use both cores. build_candidate_cube_daily.sql writes them into the candidate cube.
with dirty_days as (
    select distinct d.calendar_date
    from kpi.kpi_dirty_days as d
    where d.marked_id <= %(marked_through)s and isfinite(d.calendar_date)
),

-- Runs of consecutive days, so each is read in one range.
dirty_day_ranges as (
    select
        min(r.calendar_date) as first_day,
        max(r.calendar_date) as last_day
    from (
        select
            d.calendar_date,
            d.calendar_date - (row_number() over (order by d.calendar_date))::integer as run_start
        from dirty_days as d
    ) as r
    group by r.run_start
)

select c.*
from dirty_day_ranges as r
cross join lateral kpi.kpi_cube_parts_between(r.first_day, r.last_day) as c
