-- Rendered by `globalcart render-sql` from include/sql/templates/extract/select_changed.sql.j2
-- and the fulfillment_centers contract in include/globalcart/warehouse/contracts.py.
-- The fulfillment centers changed in [since, until): since is the watermark (inclusive, so rows sharing the
-- watermark's timestamp are read again and ignored by the merge if not newer).
select
    fulfillment_center_code,
    city,
    region,
    created_at,
    updated_at
from shop.fulfillment_centers
where updated_at >= %(since)s and updated_at < %(until)s
