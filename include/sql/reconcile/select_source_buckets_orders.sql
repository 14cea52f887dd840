-- Rendered by `globalcart render-sql` from include/sql/templates/reconcile/select_source_buckets.sql.j2
-- and the orders contract in include/globalcart/warehouse/contracts.py.
-- One row per bucket of orders: its rows and the sum of their hashes.
select
    t.order_id / %(bucket_size)s as bucket,
    count(*) as row_count,
    sum(hashtextextended(row(
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
    )::text, 0)) as hash_sum
from shop.orders as t
group by 1
