-- Rendered by `globalcart render-sql` from include/sql/templates/reconcile/select_source_key_hashes.sql.j2
-- and the returns contract in include/globalcart/warehouse/contracts.py.
-- The key, hash and updated_at of every returns row in the buckets %(buckets)s.
select
    t.return_id::text as source_key,
    hashtextextended(row(
        t.return_id::bigint,
        t.order_item_id::bigint,
        t.quantity::integer,
        t.refund_amount::numeric,
        t.reason::text,
        t.status::text,
        t.requested_at::timestamptz,
        t.received_at::timestamptz,
        t.refunded_at::timestamptz,
        t.created_at::timestamptz,
        t.updated_at::timestamptz
    )::text, 0) as row_hash,
    t.updated_at
from unnest(%(buckets)s::bigint[]) as b (bucket)
inner join shop.returns as t
    on
        t.return_id >= b.bucket * %(bucket_size)s
        and t.return_id < (b.bucket + 1) * %(bucket_size)s
