-- In the warehouse database (run connected to it): the loading role owns every
-- schema, so its migrations and runs create, replace and swap tables; BI may connect
-- and read the published marts and nothing else (not the live, unchecked KPIs in kpi);
-- nobody else may even connect.
do $$
begin
    execute format('grant connect, create, temporary on database %I to globalcart_load', current_database());
    execute format('revoke all on database %I from public', current_database());
    execute format('grant connect on database %I to globalcart_bi', current_database());
end
$$;
revoke create on schema public from public;

create schema if not exists staging authorization globalcart_load;
create schema if not exists mirror authorization globalcart_load;
create schema if not exists dw authorization globalcart_load;
create schema if not exists marts authorization globalcart_load;
create schema if not exists audit authorization globalcart_load;
create schema if not exists candidate authorization globalcart_load;
create schema if not exists kpi authorization globalcart_load;
create schema if not exists analytics authorization globalcart_load;

grant usage on schema marts to globalcart_bi;
grant select on all tables in schema marts to globalcart_bi;
-- Published tables are built in candidate and moved into marts; a table keeps its
-- grants when it moves, and BI cannot reach candidate itself (no usage on it).
alter default privileges for role globalcart_load in schema marts, candidate
grant select on tables to globalcart_bi;
