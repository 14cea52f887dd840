-- Rendered by `globalcart render-sql` from include/sql/templates/reconcile/select_mirror_buckets.sql.j2
-- and the order_items contract in include/globalcart/warehouse/contracts.py.
-- One row per bucket of order items: its rows and the sum of their hashes.
select
    t.order_item_id / %(bucket_size)s as bucket,
    count(*) as row_count,
    sum(hashtextextended(row(
        t.order_item_id::bigint,
        t.order_id::bigint,
        t.line_number::integer,
        t.product_id::bigint,
        t.quantity::integer,
        t.unit_price::numeric,
        t.discount_amount::numeric,
        t.created_at::timestamptz,
        t.updated_at::timestamptz
    )::text, 0)) as hash_sum
from mirror.order_items as t
group by 1
