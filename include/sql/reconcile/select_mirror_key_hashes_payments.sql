-- Rendered by `globalcart render-sql` from include/sql/templates/reconcile/select_mirror_key_hashes.sql.j2
-- and the payments contract in include/globalcart/warehouse/contracts.py.
-- The key, hash and updated_at of every payments row in the buckets %(buckets)s.
select
    t.payment_id::text as source_key,
    hashtextextended(row(
        t.payment_id::bigint,
        t.order_id::bigint,
        t.attempt_number::integer,
        t.payment_method::text,
        t.provider::text,
        t.status::text,
        t.amount::numeric,
        t.decline_reason::text,
        t.attempted_at::timestamptz,
        t.created_at::timestamptz,
        t.updated_at::timestamptz
    )::text, 0) as row_hash,
    t.updated_at
from unnest(%(buckets)s::bigint[]) as b (bucket)
inner join mirror.payments as t
    on
        t.payment_id >= b.bucket * %(bucket_size)s
        and t.payment_id < (b.bucket + 1) * %(bucket_size)s
