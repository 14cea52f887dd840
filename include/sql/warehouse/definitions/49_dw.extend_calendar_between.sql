-- Extend dw.dim_date to cover every day from first_day to last_day. New days join the
-- calendar on the side they fall, so it stays one unbroken run of days. Called by the
-- facts' calendar trigger (dw.extend_calendar) and, once per fact table, by a first
-- load that sets the trigger aside.
drop function if exists dw.extend_calendar_between(date, date);

create function dw.extend_calendar_between(first_day date, last_day date) returns void
language plpgsql
as $$
declare
    calendar_first date;
    calendar_last date;
begin
    if first_day is null then
        return;
    end if;
    select min(d.calendar_date), max(d.calendar_date) into calendar_first, calendar_last from dw.dim_date as d;
    insert into dw.dim_date (
        date_key, calendar_date, year_number, quarter_number, month_number, month_name,
        iso_week_number, day_of_week, day_name, is_weekend
    )
    select
        to_char(d, 'YYYYMMDD')::integer,
        d::date,
        extract(year from d)::integer,
        extract(quarter from d)::integer,
        extract(month from d)::integer,
        trim(to_char(d, 'Month')),
        extract(week from d)::integer,
        extract(isodow from d)::integer,
        trim(to_char(d, 'Day')),
        extract(isodow from d) in (6, 7)
    from (
        select generate_series(first_day, coalesce(calendar_first - 1, last_day), interval '1 day') as d
        where first_day < coalesce(calendar_first, 'infinity')
        union all
        select generate_series(greatest(calendar_last + 1, first_day), last_day, interval '1 day')
        where last_day > calendar_last
    ) as days
    on conflict (date_key) do nothing;
end;
$$;
