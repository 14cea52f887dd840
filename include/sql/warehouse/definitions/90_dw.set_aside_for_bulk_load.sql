-- A first load or a full refresh writes a whole table in one statement. Building the
-- table's secondary indexes once afterwards costs a fraction of maintaining them row by
-- row, and its statement triggers' work (the KPI days they mark, the calendar they
-- grow) is done once, set-based, by the step itself. This sets the table's non-unique
-- indexes and its triggers aside until dw.restore_after_bulk_load puts them back, in the
-- same transaction (a failed step rolls both back). Unique indexes stay: they keep
-- guarding the keys during the insert.
drop function if exists dw.set_aside_for_bulk_load(regclass);

create function dw.set_aside_for_bulk_load(target regclass) returns integer
language plpgsql
as $$
declare
    aside record;
    set_aside integer := 0;
begin
    create temp table if not exists bulk_load_set_aside (
        target regclass not null,
        kind text not null,
        object_name text not null,
        definition text not null
    ) on commit drop;
    for aside in
        select 'index' as kind, i.indexrelid::regclass::text as object_name, pg_get_indexdef(i.indexrelid) as definition
        from pg_index as i
        where i.indrelid = target and not i.indisunique
        union all
        select 'trigger', quote_ident(t.tgname), pg_get_triggerdef(t.oid)
        from pg_trigger as t
        where t.tgrelid = target and not t.tgisinternal
    loop
        insert into bulk_load_set_aside values (target, aside.kind, aside.object_name, aside.definition);
        if aside.kind = 'index' then
            execute format('drop index %s', aside.object_name);
        else
            execute format('drop trigger %s on %s', aside.object_name, target);
        end if;
        set_aside := set_aside + 1;
    end loop;
    return set_aside;
end;
$$;
