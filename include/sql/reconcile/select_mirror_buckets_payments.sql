-- Rendered by `globalcart render-sql` from include/sql/templates/reconcile/select_mirror_buckets.sql.j2
-- and the payments contract in include/globalcart/warehouse/contracts.py.
-- One row per bucket of payments: its rows and the sum of their hashes.
select
    t.payment_id / %(bucket_size)s as bucket,
    count(*) as row_count,
    sum(hashtextextended(row(
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
    )::text, 0)) as hash_sum
from mirror.payments as t
group by 1
