-- Rendered by `globalcart render-sql` from include/sql/templates/reconcile/select_mirror_buckets.sql.j2
-- and the products contract in include/globalcart/warehouse/contracts.py.
-- One row per bucket of products: its rows and the sum of their hashes.
select
    t.product_id / %(bucket_size)s as bucket,
    count(*) as row_count,
    sum(hashtextextended(row(
        t.product_id::bigint,
        t.sku::text,
        t.product_name::text,
        t.category::text,
        t.brand::text,
        t.list_price::numeric,
        t.unit_cost::numeric,
        t.is_active::boolean,
        t.created_at::timestamptz,
        t.updated_at::timestamptz
    )::text, 0)) as hash_sum
from mirror.products as t
group by 1
