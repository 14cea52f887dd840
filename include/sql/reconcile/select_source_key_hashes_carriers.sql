-- Rendered by `globalcart render-sql` from include/sql/templates/reconcile/select_source_key_hashes.sql.j2
-- and the carriers contract in include/globalcart/warehouse/contracts.py.
-- The key, hash and updated_at of every carriers row in the buckets %(buckets)s.
select
    t.carrier_code::text as source_key,
    hashtextextended(row(
        t.carrier_code::text,
        t.carrier_name::text,
        t.created_at::timestamptz,
        t.updated_at::timestamptz
    )::text, 0) as row_hash,
    t.updated_at
from shop.carriers as t
where 0 = any(%(buckets)s::bigint[])
