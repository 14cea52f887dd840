-- Rendered by `globalcart render-sql` from include/sql/templates/reconcile/select_mirror_key_hashes.sql.j2
-- and the orders contract in include/globalcart/warehouse/contracts.py.
-- The key, hash and updated_at of every orders row in the buckets %(buckets)s.
select
    t.order_id::text as source_key,
    hashtextextended(row(
        t.order_id::bigint,
        t.customer_id::bigint,
        t.channel::text,
        t.status::text,
        t.promotion_id::bigint,
        t.currency_code::text,
        t.ordered_at::timestamptz,
        t.paid_at::timestamptz,
        t.cancelled_at::timestamptz,
        t.created_at::timestamptz,
        t.updated_at::timestamptz
    )::text, 0) as row_hash,
    t.updated_at
from unnest(%(buckets)s::bigint[]) as b (bucket)
inner join mirror.orders as t
    on
        t.order_id >= b.bucket * %(bucket_size)s
        and t.order_id < (b.bucket + 1) * %(bucket_size)s
