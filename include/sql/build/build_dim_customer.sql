-- Rendered by `globalcart render-sql` from include/sql/templates/build/build_dim_customer.sql.j2.
-- Bring dim_customer up to date with the customers merged since its last build.
-- Slowly changing type 2 on region and segment; other attributes type 1.

-- The changed sets are small next to the mirror: look rows up by index rather than scan.
set local random_page_cost = 1.1;

-- Wait for merges still in flight (they hold this lock shared), so no merged row is skipped.
select pg_advisory_xact_lock(%(merge_build_lock)s);

create temp table changed_customers on commit drop as
select x.*
from mirror.customers as x
where x.merge_seq > coalesce(
    (
        select p.built_through_merge_seq from audit.build_progress as p
        where p.target_table = 'dim_customer'
    ), 0
);

analyze changed_customers;

-- A member inferred from a fact is completed in place when the customer arrives.
update dw.dim_customer as d
set
    region = c.region,
    segment = c.segment,
    is_inferred = false
from changed_customers as c
where d.customer_id = c.customer_id and d.is_inferred and d.customer_key <> -1;

-- Type 1 attributes: overwritten on every version.
update dw.dim_customer as d
set
    email = c.email,
    full_name = c.full_name,
    country_code = c.country_code,
    acquisition_channel = c.acquisition_channel,
    status = c.status,
    signed_up_at = c.signed_up_at,
    source_updated_at = c.updated_at
from changed_customers as c
where
    d.customer_id = c.customer_id
    and (d.email, d.full_name, d.country_code, d.acquisition_channel, d.status, d.signed_up_at, d.source_updated_at)
    is distinct from
    (c.email, c.full_name, c.country_code, c.acquisition_channel, c.status, c.signed_up_at, c.updated_at);

-- Type 2 attributes: a changed region or segment closes the current version...
update dw.dim_customer as d
set
    valid_to = c.updated_at,
    is_current = false
from changed_customers as c
where
    d.customer_id = c.customer_id
    and d.is_current
    and (d.region, d.segment) is distinct from (c.region, c.segment)
    and c.updated_at > d.valid_from;

-- ...and opens a new one from the time the shop recorded the change. A customer's
-- first version is valid from the beginning of time.
insert into dw.dim_customer (
    customer_id, email, full_name, region, country_code, segment, acquisition_channel, status,
    signed_up_at, valid_from, source_updated_at
)
select
    c.customer_id,
    c.email,
    c.full_name,
    c.region,
    c.country_code,
    c.segment,
    c.acquisition_channel,
    c.status,
    c.signed_up_at,
    case
        when exists (
            select from dw.dim_customer as v
            where v.customer_id = c.customer_id
        ) then c.updated_at
        else '-infinity'::timestamptz
    end as valid_from,
    c.updated_at as source_updated_at
from changed_customers as c
where not exists (
    select from dw.dim_customer as d
    where d.customer_id = c.customer_id and d.is_current
);

insert into audit.build_progress (target_table, built_through_merge_seq, run_id)
select
    'dim_customer',
    coalesce(max(c.merge_seq), 0),
    %(run_id)s
from changed_customers as c
having count(*) > 0
on conflict (target_table) do update
    set
        built_through_merge_seq
        = greatest(audit.build_progress.built_through_merge_seq, excluded.built_through_merge_seq),
        run_id = excluded.run_id,
        built_at = now();
