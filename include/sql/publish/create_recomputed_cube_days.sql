-- Where the candidate build receives the dirty days' cube rows read beside it
-- (select_dirty_day_cube_parts.sql): the shape of kpi.kpi_cube_parts_between, no rows.
create temp table recomputed_cube_days on commit drop as
select c.* from kpi.kpi_cube_parts_between('infinity', 'infinity') as c
with no data
