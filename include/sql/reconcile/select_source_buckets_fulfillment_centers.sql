-- Rendered by `globalcart render-sql` from include/sql/templates/reconcile/select_source_buckets.sql.j2
-- and the fulfillment_centers contract in include/globalcart/warehouse/contracts.py.
-- One row per bucket of fulfillment centers: its rows and the sum of their hashes.
select
    0::bigint as bucket,
    count(*) as row_count,
    sum(hashtextextended(row(
        t.fulfillment_center_code::text,
        t.city::text,
        t.region::text,
        t.created_at::timestamptz,
        t.updated_at::timestamptz
    )::text, 0)) as hash_sum
from shop.fulfillment_centers as t
group by 1
