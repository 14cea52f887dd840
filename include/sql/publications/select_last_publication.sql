-- The newest publication of one kind ('kpis' or 'analytics') that went through.
select
    p.run_id,
    p.decided_at
from audit.publications as p
where p.outcome = 'published' and p.publication = %(publication)s
order by p.decided_at desc
limit 1;
