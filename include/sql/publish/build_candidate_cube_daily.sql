-- The candidate daily cube: the published rows of the days not marked, and the marked
-- days recomputed from their facts (recomputed_cube_days, read in this build's snapshot
-- by select_dirty_day_cube_parts.sql). The cube holds days only, no months. Part of the
-- candidate build's transaction, after build_candidate_kpi_tables.sql (its dirty_days).
drop table if exists candidate.kpi_cube_daily;

create table candidate.kpi_cube_daily as
select p.* from marts.kpi_cube_daily as p
where
    not exists (
        select from dirty_days as d
        where d.calendar_date = p.period_start
    )
union all
select c.* from recomputed_cube_days as c
order by period_start, channel, region, category;

alter table candidate.kpi_cube_daily add primary key (period_start, channel, region, category);
