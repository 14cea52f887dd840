-- Rendered by `globalcart render-sql` from include/sql/templates/reconcile/select_mirror_key_hashes.sql.j2
-- and the promotions contract in include/globalcart/warehouse/contracts.py.
-- The key, hash and updated_at of every promotions row in the buckets %(buckets)s.
select
    t.promotion_id::text as source_key,
    hashtextextended(row(
        t.promotion_id::bigint,
        t.promotion_code::text,
        t.discount_rate::numeric,
        t.starts_at::timestamptz,
        t.ends_at::timestamptz,
        t.status::text,
        t.created_at::timestamptz,
        t.updated_at::timestamptz
    )::text, 0) as row_hash,
    t.updated_at
from unnest(%(buckets)s::bigint[]) as b (bucket)
inner join mirror.promotions as t
    on
        t.promotion_id >= b.bucket * %(bucket_size)s
        and t.promotion_id < (b.bucket + 1) * %(bucket_size)s
