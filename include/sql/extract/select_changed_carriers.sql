-- Rendered by `globalcart render-sql` from include/sql/templates/extract/select_changed.sql.j2
-- and the carriers contract in include/globalcart/warehouse/contracts.py.
-- The carriers changed in [since, until): since is the watermark (inclusive, so rows sharing the
-- watermark's timestamp are read again and ignored by the merge if not newer).
select
    carrier_code,
    carrier_name,
    created_at,
    updated_at
from shop.carriers
where updated_at >= %(since)s and updated_at < %(until)s
