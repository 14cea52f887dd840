-- Rendered by `globalcart render-sql` from include/sql/templates/reconcile/select_source_key_hashes.sql.j2
-- and the fulfillment_centers contract in include/globalcart/warehouse/contracts.py.
-- The key, hash and updated_at of every fulfillment centers row in the buckets %(buckets)s.
select
    t.fulfillment_center_code::text as source_key,
    hashtextextended(row(
        t.fulfillment_center_code::text,
        t.city::text,
        t.region::text,
        t.created_at::timestamptz,
        t.updated_at::timestamptz
    )::text, 0) as row_hash,
    t.updated_at
from shop.fulfillment_centers as t
where 0 = any(%(buckets)s::bigint[])
