-- The drifted keys of one table this run re-extracts, and which of them the source still holds.
insert into staging.repair_keys (table_name, source_key, found_in_source)
select
    %(table_name)s,
    k.source_key,
    k.source_key = any(%(found)s::text[])
from unnest(%(keys)s::text[]) as k (source_key)
on conflict (table_name, source_key) do update
    set found_in_source = excluded.found_in_source
