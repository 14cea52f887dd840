-- The keys of one table a reconciliation found differing, with their kind, to be re-extracted.
insert into audit.mirror_drift (reconcile_id, table_name, source_key, kind)
select
    %(reconcile_id)s,
    %(table_name)s,
    k.source_key,
    k.kind
from unnest(%(keys)s::text[], %(kinds)s::text[]) as k (source_key, kind)
on conflict (reconcile_id, table_name, source_key) do update
    set kind = excluded.kind
