-- The order days the reconciliation compares with the source: the day of every order line
-- and return the gate checks (changed since its window began), every day marked as changed
-- since the last publication (all of them after a mark of -infinity), and the closed days
-- of the window (define_quality_scope.sql), where a line lost without a trace would fall.
with marks as (
    select
        m.calendar_date,
        m.calendar_date = '-infinity' as marks_everything
    from kpi.kpi_dirty_days as m
),

days as (
    select to_date(c.order_date_key::text, 'YYYYMMDD') as order_date
    from candidate.checked_order_lines as c
    union
    select to_date(f.order_date_key::text, 'YYYYMMDD')
    from candidate.checked_return_lines as r
    inner join dw.fct_order_line as f on r.order_item_id = f.order_item_id
    union
    select m.calendar_date
    from marks as m
    where not m.marks_everything
    union
    select to_date(f.order_date_key::text, 'YYYYMMDD')
    from (select distinct l.order_date_key from dw.fct_order_line as l) as f
    where
        exists (
            select from marks as m
            where m.marks_everything
        )
    union
    select generate_series(q.reconciled_from, q.reconciled_through, interval '1 day')::date
    from audit.quality_scope as q
    where q.run_id = %(run_id)s
)

select coalesce(array_agg(d.order_date order by d.order_date), '{}') as order_dates
from days as d
where d.order_date is not null;
