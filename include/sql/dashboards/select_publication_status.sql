-- The dashboards' one small polling query: for each publication, when it last
-- published, what the gate decided last (published, or blocked and why), and the
-- day the data runs to (the last published day; the analytics' as-of date).
with latest as (
    select distinct on (l.publication)
        l.publication,
        l.outcome,
        l.failed_critical,
        l.decided_at
    from marts.publication_log as l
    order by l.publication asc, l.decided_at desc
)

select
    k.publication,
    (
        select max(p.decided_at) from marts.publication_log as p
        where p.publication = k.publication and p.outcome = 'published'
    ) as published_at,
    t.outcome as last_outcome,
    t.failed_critical as last_failed_critical,
    t.decided_at as last_decided_at,
    case
        when k.publication = 'kpis' then (select max(d.period_start) from marts.kpi_cube_daily as d)
        else (select max(s.as_of) from marts.analytics_status as s)
    end as as_of
from (values ('kpis'), ('analytics')) as k (publication)
left join latest as t on k.publication = t.publication;
