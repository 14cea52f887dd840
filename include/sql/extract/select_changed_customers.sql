-- Rendered by `globalcart render-sql` from include/sql/templates/extract/select_changed.sql.j2
-- and the customers contract in include/globalcart/warehouse/contracts.py.
-- The customers changed in [since, until): since is the watermark (inclusive, so rows sharing the
-- watermark's timestamp are read again and ignored by the merge if not newer).
select
    customer_id,
    email,
    full_name,
    region,
    country_code,
    segment,
    acquisition_channel,
    status,
    signed_up_at,
    created_at,
    updated_at
from shop.customers
where updated_at >= %(since)s and updated_at < %(until)s
