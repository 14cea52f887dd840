insert into shop.customers (
    customer_id, email, full_name, region, country_code, segment, acquisition_channel, signed_up_at
)
select
    c.customer_id,
    c.email,
    c.full_name,
    c.region,
    c.country_code,
    c.segment,
    c.acquisition_channel,
    c.signed_up_at
from unnest(
    %(customer_id)s::bigint[],
    %(email)s::text[],
    %(full_name)s::text[],
    %(region)s::text[],
    %(country_code)s::text[],
    %(segment)s::text[],
    %(acquisition_channel)s::text[],
    %(signed_up_at)s::timestamptz[]
) as c (customer_id, email, full_name, region, country_code, segment, acquisition_channel, signed_up_at);
