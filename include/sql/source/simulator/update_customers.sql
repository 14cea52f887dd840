update shop.customers as c
set
    region = x.region,
    country_code = x.country_code,
    segment = x.segment,
    status = x.status
from
    unnest(
        %(customer_id)s::bigint[],
        %(region)s::text[],
        %(country_code)s::text[],
        %(segment)s::text[],
        %(status)s::text[]
    ) as x (customer_id, region, country_code, segment, status)
where c.customer_id = x.customer_id;
