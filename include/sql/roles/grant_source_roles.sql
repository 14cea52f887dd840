-- In the source database (run connected to it): the shop may do anything; the
-- extraction role may connect and read, nothing else; nobody else may even connect.
do $$
begin
    execute format('grant connect, create, temporary on database %I to globalcart_shop', current_database());
    execute format('revoke all on database %I from public', current_database());
    execute format('grant connect on database %I to globalcart_extract', current_database());
end
$$;
revoke create on schema public from public;

-- Whatever the shop creates later (the generator builds a new schema and swaps it in)
-- is readable by the extraction role.
alter default privileges for role globalcart_shop grant usage on schemas to globalcart_extract;
alter default privileges for role globalcart_shop grant select on tables to globalcart_extract;

-- And what the shop has already.
do $$
declare
    schema_name text;
begin
    for schema_name in select n.nspname from pg_namespace as n where n.nspname in ('shop', 'sim') loop
        execute format('grant usage on schema %I to globalcart_extract', schema_name);
        execute format('grant select on all tables in schema %I to globalcart_extract', schema_name);
    end loop;
end
$$;
