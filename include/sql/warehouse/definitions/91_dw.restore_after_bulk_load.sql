-- Put back what dw.set_aside_for_bulk_load set aside for a table in this transaction:
-- its indexes, built once over the rows now in it, then its triggers.
drop function if exists dw.restore_after_bulk_load(regclass);

create function dw.restore_after_bulk_load(target regclass) returns integer
language plpgsql
as $$
declare
    aside record;
    restored integer := 0;
begin
    if to_regclass('pg_temp.bulk_load_set_aside') is null then
        return 0;
    end if;
    for aside in
        select a.kind, a.definition
        from bulk_load_set_aside as a
        where a.target = restore_after_bulk_load.target
        order by a.kind = 'trigger', a.object_name
    loop
        execute aside.definition;
        restored := restored + 1;
    end loop;
    delete from bulk_load_set_aside as a where a.target = restore_after_bulk_load.target;
    return restored;
end;
$$;
