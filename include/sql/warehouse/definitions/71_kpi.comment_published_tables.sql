-- Write the catalog's definitions (include/globalcart/marts/catalog.py) as comments on
-- the published tables in marts and their columns, so BI tools show them next to the
-- fields. Publication swaps whole tables in, and a table built in candidate has no
-- comments, so each publication calls this for what it swapped. A table or column
-- the definitions name but marts does not hold is skipped.
-- definitions: [{"table": name, "comment": text, "columns": {column: text}}, ...]
drop function if exists kpi.comment_published_tables(jsonb) cascade;

create function kpi.comment_published_tables(definitions jsonb) returns integer
language plpgsql
as $$
declare
    entry jsonb;
    col record;
    written integer := 0;
begin
    for entry in select e.value from jsonb_array_elements(definitions) as e loop
        if to_regclass(format('marts.%I', entry ->> 'table')) is null then
            continue;
        end if;
        execute format('comment on table marts.%I is %L', entry ->> 'table', entry ->> 'comment');
        written := written + 1;
        for col in
            select c.key as name, c.value as comment
            from jsonb_each_text(entry -> 'columns') as c
            inner join information_schema.columns as i
                on i.table_schema = 'marts' and i.table_name = entry ->> 'table' and i.column_name = c.key
        loop
            execute format('comment on column marts.%I.%I is %L', entry ->> 'table', col.name, col.comment);
            written := written + 1;
        end loop;
    end loop;
    return written;
end;
$$;
