-- The values a filter may take: those the published daily cube holds, and its days.
select
    array(
        select distinct c.channel from marts.kpi_cube_daily as c
        where c.channel <> 'all'
        order by 1
    ) as channels,
    array(
        select distinct c.region from marts.kpi_cube_daily as c
        where c.region <> 'all'
        order by 1
    ) as regions,
    array(
        select distinct c.category from marts.kpi_cube_daily as c
        where c.category <> 'all'
        order by 1
    ) as categories,
    (select min(c.period_start) from marts.kpi_cube_daily as c) as first_day,
    (select max(c.period_start) from marts.kpi_cube_daily as c) as last_day;
