-- Rendered by `globalcart render-sql` from include/sql/templates/extract/select_drifted_keys.sql.j2
-- and the fulfillment_centers contract in include/globalcart/warehouse/contracts.py.
-- Which of the drifted fulfillment centers keys %(keys)s the source still holds.
select t.fulfillment_center_code::text as source_key
from shop.fulfillment_centers as t
where t.fulfillment_center_code::text = any(%(keys)s::text[])
