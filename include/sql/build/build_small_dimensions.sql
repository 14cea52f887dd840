-- Carriers, fulfillment centers and promotions: small, overwritten in place (type 1).
-- A member first inferred from a fact is completed here when the source row arrives.

insert into dw.dim_carrier (carrier_code, carrier_name, is_inferred)
select
    c.carrier_code,
    c.carrier_name,
    false
from mirror.carriers as c
on conflict (carrier_code) do update
    set carrier_name = excluded.carrier_name, is_inferred = false
    where (dw.dim_carrier.carrier_name, dw.dim_carrier.is_inferred) is distinct from (excluded.carrier_name, false);

insert into dw.dim_fulfillment_center (fulfillment_center_code, city, region, is_inferred)
select
    f.fulfillment_center_code,
    f.city,
    f.region,
    false
from mirror.fulfillment_centers as f
on conflict (fulfillment_center_code) do update
    set city = excluded.city, region = excluded.region, is_inferred = false
    where
    (dw.dim_fulfillment_center.city, dw.dim_fulfillment_center.region, dw.dim_fulfillment_center.is_inferred)
    is distinct from (excluded.city, excluded.region, false);

insert into dw.dim_promotion (promotion_id, promotion_code, discount_rate, starts_at, ends_at, status, is_inferred)
select
    p.promotion_id,
    p.promotion_code,
    p.discount_rate,
    p.starts_at,
    p.ends_at,
    p.status,
    false
from mirror.promotions as p
on conflict (promotion_id) do update
    set
        promotion_code = excluded.promotion_code,
        discount_rate = excluded.discount_rate,
        starts_at = excluded.starts_at,
        ends_at = excluded.ends_at,
        status = excluded.status,
        is_inferred = false
    where
    (
        dw.dim_promotion.promotion_code, dw.dim_promotion.discount_rate, dw.dim_promotion.starts_at,
        dw.dim_promotion.ends_at, dw.dim_promotion.status, dw.dim_promotion.is_inferred
    )
    is distinct from
    (excluded.promotion_code, excluded.discount_rate, excluded.starts_at, excluded.ends_at, excluded.status, false);
