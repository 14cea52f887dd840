-- Rendered by `globalcart render-sql` from include/sql/templates/reconcile/select_mirror_key_hashes.sql.j2
-- and the products contract in include/globalcart/warehouse/contracts.py.
-- The key, hash and updated_at of every products row in the buckets %(buckets)s.
select
    t.product_id::text as source_key,
    hashtextextended(row(
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
    )::text, 0) as row_hash,
    t.updated_at
from unnest(%(buckets)s::bigint[]) as b (bucket)
inner join mirror.products as t
    on
        t.product_id >= b.bucket * %(bucket_size)s
        and t.product_id < (b.bucket + 1) * %(bucket_size)s
