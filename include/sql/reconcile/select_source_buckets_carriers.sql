-- Rendered by `globalcart render-sql` from include/sql/templates/reconcile/select_source_buckets.sql.j2
-- and the carriers contract in include/globalcart/warehouse/contracts.py.
-- One row per bucket of carriers: its rows and the sum of their hashes.
select
    0::bigint as bucket,
    count(*) as row_count,
    sum(hashtextextended(row(
        t.carrier_code::text,
        t.carrier_name::text,
        t.created_at::timestamptz,
        t.updated_at::timestamptz
    )::text, 0)) as hash_sum
from shop.carriers as t
group by 1
