-- On the local stack, where one superuser owns everything: the BI role the dashboards
-- read as, allowed the published marts and nothing else, as a provisioned server
-- allows it (grant_warehouse_roles.sql). Tables created later in marts, or in
-- candidate and moved to marts, are readable too. Safe to run again.
do $$
begin
    if not exists (select from pg_roles where rolname = 'globalcart_bi') then
        create role globalcart_bi login;
    end if;
end
$$;

create schema if not exists marts;
create schema if not exists candidate;
grant usage on schema marts to globalcart_bi;
grant select on all tables in schema marts to globalcart_bi;
alter default privileges in schema marts, candidate grant select on tables to globalcart_bi;
