-- The oldest KPI publication that changed the star schema and that no analytics publication has
-- followed yet: the analytics are behind since then.
select min(p.decided_at) as oldest_change_not_analysed
from audit.publications as p
where
    p.publication = 'kpis'
    and p.outcome = 'published'
    and p.decided_at > coalesce(
        (
            select max(a.decided_at) from audit.publications as a
            where a.publication = 'analytics' and a.outcome = 'published'
        ),
        '-infinity'
    )
    and exists (
        select from audit.load_runs as l
        where l.run_id = p.run_id and l.inserted_rows + l.updated_rows > 0
    );
