-- Should this run wake the analytics? When it changed the mirror (and so, through the builds,
-- anything downstream reads), and when it ends a blocked KPI gate: analytics that met the
-- blocked facts skipped, and the changes the blocked runs merged still wait for them.
with last_analytics as (
    select coalesce(max(a.decided_at), '-infinity') as decided_at
    from audit.publications as a
    where a.publication = 'analytics' and a.outcome = 'published'
)

select
    coalesce(
        (
            select sum(l.inserted_rows + l.updated_rows)
            from audit.load_runs as l
            where l.run_id = %(run_id)s
        ),
        0
    ) > 0 as changed_anything,
    exists (
        select 1
        from audit.publications as b, last_analytics
        where
            b.publication = 'kpis'
            and b.outcome = 'blocked'
            and b.decided_at > last_analytics.decided_at
    ) as analytics_behind_a_blocked_gate;
