-- Write: build the KPI tables aside, in `candidate`, from the published ones and
-- the days marked dirty (marks up to %(marked_through)s). The kept daily parts of
-- the dirty days are recomputed from those days' facts; the KPIs of every month
-- holding a dirty day (its days and the month) are then computed from the kept
-- parts, and the other published rows carried over. A re-applied definition marks
-- every day, and rebuild_candidate_kpi_tables.sql recomputes all of them instead.
-- The daily cube (day × channel × region × category) is built the same way, for the
-- dirty days alone, by build_candidate_cube_daily.sql in the same transaction.
-- The quality gate checks the candidates before they are published.
create temp table dirty_days on commit drop as
select distinct d.calendar_date
from kpi.kpi_dirty_days as d
where d.marked_id <= %(marked_through)s and isfinite(d.calendar_date);

-- Runs of consecutive days (and of consecutive months), so each is read in one range.
create temp table dirty_day_ranges on commit drop as
select
    min(r.calendar_date) as first_day,
    max(r.calendar_date) as last_day
from (
    select
        d.calendar_date,
        d.calendar_date - (row_number() over (order by d.calendar_date))::integer as run_start
    from dirty_days as d
) as r
group by r.run_start;

create temp table dirty_month_ranges on commit drop as
select
    min(r.month_start) as first_day,
    (max(r.month_start) + interval '1 month - 1 day')::date as last_day
from (
    select
        m.month_start,
        m.month_start - (row_number() over (order by m.month_start))::integer * interval '1 month' as run_start
    from
        (select distinct date_trunc('month', d.calendar_date::timestamp)::date as month_start from dirty_days as d) as m
) as r
group by r.run_start;

delete from kpi.kpi_day_parts as k
using dirty_days as d
where k.period_start = d.calendar_date;

insert into kpi.kpi_day_parts
select p.*
from dirty_day_ranges as r
cross join lateral kpi.kpi_day_parts_between(r.first_day, r.last_day) as p;

create temp table recomputed on commit drop as
select v.*
from dirty_month_ranges as r
cross join lateral kpi.kpi_values_between(r.first_day, r.last_day, true) as v;

drop table if exists candidate.kpi_daily;
drop table if exists candidate.kpi_monthly;
drop table if exists candidate.build_info;
drop table if exists candidate.build_marks;

create table candidate.kpi_daily as
select p.* from marts.kpi_daily as p
where
    not exists (
        select from dirty_month_ranges as r
        where p.period_start between r.first_day and r.last_day
    )
union all
select r.* from recomputed as r
where r.grain = 'day'
order by period_start, dimension_name, dimension_value;

create table candidate.kpi_monthly as
select p.* from marts.kpi_monthly as p
where
    not exists (
        select from dirty_month_ranges as r
        where p.period_start between r.first_day and r.last_day
    )
union all
select r.* from recomputed as r
where r.grain = 'month'
order by period_start, dimension_name, dimension_value;

alter table candidate.kpi_daily add primary key (period_start, dimension_name, dimension_value);
alter table candidate.kpi_monthly add primary key (period_start, dimension_name, dimension_value);

-- Which run built them, and which dirty marks they cover (cleared when published).
create table candidate.build_info as
select
    %(run_id)s::text as run_id,
    %(marked_through)s::bigint as marked_through,
    (select min(r.first_day) from dirty_month_ranges as r) as first_day,
    (select max(r.last_day) from dirty_month_ranges as r) as last_day,
    now() as built_at;

-- The marks this build saw, in the snapshot it read the facts in: publishing clears
-- these and no others, so a mark committed while the run was under way (even one
-- numbered below them) waits for the next run.
create table candidate.build_marks as
select d.marked_id from kpi.kpi_dirty_days as d
where d.marked_id <= %(marked_through)s;
