-- Rendered by `globalcart render-sql` from include/sql/templates/reconcile/select_mirror_key_hashes.sql.j2
-- and the order_items contract in include/globalcart/warehouse/contracts.py.
-- The key, hash and updated_at of every order items row in the buckets %(buckets)s.
select
    t.order_item_id::text as source_key,
    hashtextextended(row(
        t.order_item_id::bigint,
        t.order_id::bigint,
        t.line_number::integer,
        t.product_id::bigint,
        t.quantity::integer,
        t.unit_price::numeric,
        t.discount_amount::numeric,
        t.created_at::timestamptz,
        t.updated_at::timestamptz
    )::text, 0) as row_hash,
    t.updated_at
from unnest(%(buckets)s::bigint[]) as b (bucket)
inner join mirror.order_items as t
    on
        t.order_item_id >= b.bucket * %(bucket_size)s
        and t.order_item_id < (b.bucket + 1) * %(bucket_size)s
