-- Rendered by `globalcart render-sql` from include/sql/templates/extract/select_changed.sql.j2
-- and the promotions contract in include/globalcart/warehouse/contracts.py.
-- The promotions changed in [since, until): since is the watermark (inclusive, so rows sharing the
-- watermark's timestamp are read again and ignored by the merge if not newer).
select
    promotion_id,
    promotion_code,
    discount_rate,
    starts_at,
    ends_at,
    status,
    created_at,
    updated_at
from shop.promotions
where updated_at >= %(since)s and updated_at < %(until)s
