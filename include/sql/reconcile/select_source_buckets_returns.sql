-- Rendered by `globalcart render-sql` from include/sql/templates/reconcile/select_source_buckets.sql.j2
-- and the returns contract in include/globalcart/warehouse/contracts.py.
-- One row per bucket of returns: its rows and the sum of their hashes.
select
    t.return_id / %(bucket_size)s as bucket,
    count(*) as row_count,
    sum(hashtextextended(row(
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
    )::text, 0)) as hash_sum
from shop.returns as t
group by 1
