-- Which days the candidate KPI tables must recompute: the days marked dirty since
-- the last publication (their months' KPIs follow from the kept daily parts); all
-- of them when nothing is published yet or a mark of -infinity says every day (a
-- truncate, a re-applied KPI definition).
with marks as (
    select
        max(d.marked_id) as marked_through,
        bool_or(d.calendar_date = '-infinity') as marks_everything,
        min(d.calendar_date) filter (where d.calendar_date <> '-infinity') as first_day,
        max(d.calendar_date) filter (where d.calendar_date <> '-infinity') as last_day,
        count(distinct d.calendar_date) filter (where d.calendar_date <> '-infinity') as dirty_days
    from kpi.kpi_dirty_days as d
),

final as (
    select
        coalesce(m.marked_through, 0) as marked_through,
        coalesce(m.marks_everything, false) or not exists (select from marts.kpi_daily) as rebuild_all,
        date_trunc('month', m.first_day::timestamp)::date as first_day,
        (date_trunc('month', m.last_day::timestamp) + interval '1 month - 1 day')::date as last_day,
        coalesce(m.dirty_days, 0) as dirty_days
    from marks as m
)

select * from final;
