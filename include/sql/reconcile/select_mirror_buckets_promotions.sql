-- Rendered by `globalcart render-sql` from include/sql/templates/reconcile/select_mirror_buckets.sql.j2
-- and the promotions contract in include/globalcart/warehouse/contracts.py.
-- One row per bucket of promotions: its rows and the sum of their hashes.
select
    t.promotion_id / %(bucket_size)s as bucket,
    count(*) as row_count,
    sum(hashtextextended(row(
        t.promotion_id::bigint,
        t.promotion_code::text,
        t.discount_rate::numeric,
        t.starts_at::timestamptz,
        t.ends_at::timestamptz,
        t.status::text,
        t.created_at::timestamptz,
        t.updated_at::timestamptz
    )::text, 0)) as hash_sum
from mirror.promotions as t
group by 1
