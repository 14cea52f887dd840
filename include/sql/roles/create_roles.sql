-- The project's database roles, on the server the source and the warehouse live on
-- (roles belong to the server, not to a database). Safe to run again.
--   globalcart_shop     the shop itself: owns the source database (the demo's generator and simulator)
--   globalcart_extract  the pipeline's reader of the source: read only
--   globalcart_load     the pipeline's writer: owns the warehouse's schemas
--   globalcart_bi       BI tools and analysts: reads the published marts, nothing else
do $$
begin
    if not exists (select from pg_roles where rolname = 'globalcart_shop') then
        create role globalcart_shop login;
    end if;
    if not exists (select from pg_roles where rolname = 'globalcart_extract') then
        create role globalcart_extract login;
    end if;
    if not exists (select from pg_roles where rolname = 'globalcart_load') then
        create role globalcart_load login;
    end if;
    if not exists (select from pg_roles where rolname = 'globalcart_bi') then
        create role globalcart_bi login;
    end if;
end
$$;

-- The extraction reads other sessions' open transactions (pg_stat_activity) before it
-- takes its snapshot, so the watermark never passes a row not yet committed.
grant pg_read_all_stats to globalcart_extract;
