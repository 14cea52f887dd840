-- Rendered by `globalcart render-sql` from include/sql/templates/reconcile/select_source_key_hashes.sql.j2
-- and the customers contract in include/globalcart/warehouse/contracts.py.
-- The key, hash and updated_at of every customers row in the buckets %(buckets)s.
select
    t.customer_id::text as source_key,
    hashtextextended(row(
        t.customer_id::bigint,
        t.email::text,
        t.full_name::text,
        t.region::text,
        t.country_code::text,
        t.segment::text,
        t.acquisition_channel::text,
        t.status::text,
        t.signed_up_at::timestamptz,
        t.created_at::timestamptz,
        t.updated_at::timestamptz
    )::text, 0) as row_hash,
    t.updated_at
from unnest(%(buckets)s::bigint[]) as b (bucket)
inner join shop.customers as t
    on
        t.customer_id >= b.bucket * %(bucket_size)s
        and t.customer_id < (b.bucket + 1) * %(bucket_size)s
