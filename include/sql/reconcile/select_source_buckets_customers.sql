-- Rendered by `globalcart render-sql` from include/sql/templates/reconcile/select_source_buckets.sql.j2
-- and the customers contract in include/globalcart/warehouse/contracts.py.
-- One row per bucket of customers: its rows and the sum of their hashes.
select
    t.customer_id / %(bucket_size)s as bucket,
    count(*) as row_count,
    sum(hashtextextended(row(
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
    )::text, 0)) as hash_sum
from shop.customers as t
group by 1
