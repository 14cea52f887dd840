-- The quality gate's latest decision on the KPIs, published or blocked.
select
    p.run_id,
    p.outcome,
    p.failed_critical,
    p.decided_at
from audit.publications as p
where p.publication = 'kpis'
order by p.decided_at desc
limit 1;
