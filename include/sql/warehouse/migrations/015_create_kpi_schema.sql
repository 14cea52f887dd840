-- `marts` holds only what the quality gate published, so BI can read all of it. The
-- live KPI definitions over the star schema and the marks of which days to recompute
-- are internal: they move to a schema of their own, `kpi`, whose objects are
-- definitions (include/sql/warehouse/definitions), created there right after this.
create schema if not exists kpi;

-- The marks keep their rows and their numbering: a candidate build records the last
-- mark it covers, and publishing clears the marks up to it.
alter table if exists marts.kpi_dirty_days set schema kpi;

-- Readers of marts could read the marks; here only their owner does.
do $$
declare
    grantee text;
begin
    for grantee in
        select distinct case when a.grantee = 0 then 'public' else quote_ident(pg_get_userbyid(a.grantee)) end
        from pg_class as c
        cross join lateral aclexplode(c.relacl) as a
        where c.oid = 'kpi.kpi_dirty_days'::regclass and a.grantee <> c.relowner
    loop
        execute format('revoke all on kpi.kpi_dirty_days from %s', grantee);
    end loop;
end;
$$;

-- Their definitions in `kpi` replace these; the triggers go with their function.
drop view if exists marts.kpi_values;
drop function if exists marts.kpi_values_between(date, date);
drop function if exists marts.mark_kpi_days_dirty() cascade;
