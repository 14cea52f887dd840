select
    p.run_id,
    p.decided_at
from audit.publications as p
where p.outcome = 'published' and p.publication = 'kpis'
order by p.decided_at desc
limit 1;
