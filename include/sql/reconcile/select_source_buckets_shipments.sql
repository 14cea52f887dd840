-- Rendered by `globalcart render-sql` from include/sql/templates/reconcile/select_source_buckets.sql.j2
-- and the shipments contract in include/globalcart/warehouse/contracts.py.
-- One row per bucket of shipments: its rows and the sum of their hashes.
select
    t.shipment_id / %(bucket_size)s as bucket,
    count(*) as row_count,
    sum(hashtextextended(row(
        t.shipment_id::bigint,
        t.order_id::bigint,
        t.carrier_code::text,
        t.fulfillment_center_code::text,
        t.status::text,
        t.shipping_cost::numeric,
        t.promised_at::timestamptz,
        t.shipped_at::timestamptz,
        t.delivered_at::timestamptz,
        t.created_at::timestamptz,
        t.updated_at::timestamptz
    )::text, 0)) as hash_sum
from shop.shipments as t
group by 1
