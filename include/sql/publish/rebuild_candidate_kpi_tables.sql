-- Write, recomputing everything: the candidate KPI tables come from the KPI
-- definition alone and carry nothing over from the published ones, which an older
-- definition (other columns, other formulas) may have built. Used when nothing is
-- published yet, a truncate marked every day, or a KPI definition was re-applied.
-- The kept daily parts are recomputed from every fact first.
set local work_mem = '256MB';
-- Every fact is read: hashing beats index lookups.
set local enable_nestloop = off;

truncate kpi.kpi_day_parts;

insert into kpi.kpi_day_parts
select p.* from kpi.kpi_day_parts_between('-infinity', 'infinity') as p;

create temp table recomputed on commit drop as
select v.* from kpi.kpi_values_between('-infinity', 'infinity', true) as v;

drop table if exists candidate.kpi_daily;
drop table if exists candidate.kpi_monthly;
drop table if exists candidate.kpi_cube_daily;
drop table if exists candidate.build_info;
drop table if exists candidate.build_marks;

create table candidate.kpi_daily as
select r.* from recomputed as r
where r.grain = 'day'
order by r.period_start, r.dimension_name, r.dimension_value;

create table candidate.kpi_monthly as
select r.* from recomputed as r
where r.grain = 'month'
order by r.period_start, r.dimension_name, r.dimension_value;

create table candidate.kpi_cube_daily as
select c.* from kpi.kpi_cube_parts_between('-infinity', 'infinity') as c
order by c.period_start, c.channel, c.region, c.category;

alter table candidate.kpi_daily add primary key (period_start, dimension_name, dimension_value);
alter table candidate.kpi_monthly add primary key (period_start, dimension_name, dimension_value);
alter table candidate.kpi_cube_daily add primary key (period_start, channel, region, category);

-- Which run built them, and which dirty marks they cover (cleared when published).
create table candidate.build_info as
select
    %(run_id)s::text as run_id,
    %(marked_through)s::bigint as marked_through,
    '-infinity'::date as first_day,
    'infinity'::date as last_day,
    now() as built_at;

-- The marks this build saw, in the snapshot it read the facts in: publishing clears
-- these and no others, so a mark committed while the run was under way (even one
-- numbered below them) waits for the next run.
create table candidate.build_marks as
select d.marked_id from kpi.kpi_dirty_days as d
where d.marked_id <= %(marked_through)s;
