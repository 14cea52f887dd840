-- Rendered by `globalcart render-sql` from include/sql/templates/reconcile/select_source_key_hashes.sql.j2
-- and the shipments contract in include/globalcart/warehouse/contracts.py.
-- The key, hash and updated_at of every shipments row in the buckets %(buckets)s.
select
    t.shipment_id::text as source_key,
    hashtextextended(row(
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
    )::text, 0) as row_hash,
    t.updated_at
from unnest(%(buckets)s::bigint[]) as b (bucket)
inner join shop.shipments as t
    on
        t.shipment_id >= b.bucket * %(bucket_size)s
        and t.shipment_id < (b.bucket + 1) * %(bucket_size)s
