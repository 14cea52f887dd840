-- Rendered by `globalcart render-sql` from include/sql/templates/build/build_dim_product.sql.j2.
-- Bring dim_product up to date with the products and price-list rows merged since
-- its last build. Type 2 on list price and unit cost (versions follow the shop's
-- price list) and on category (versions start when the shop recorded a new
-- category); a product's first version is valid from the beginning of time.

-- The changed sets are small next to the mirror: look rows up by index rather than scan.
set local random_page_cost = 1.1;

-- Wait for merges still in flight (they hold this lock shared), so no merged row is skipped.
select pg_advisory_xact_lock(%(merge_build_lock)s);

create temp table changed_products on commit drop as
with progress as (
    select coalesce(
        (
            select p.built_through_merge_seq from audit.build_progress as p
            where p.target_table = 'dim_product'
        ), 0
    ) as built_through
)

select p.product_id
from mirror.products as p, progress
where p.merge_seq > progress.built_through
union
select pp.product_id
from mirror.product_prices as pp, progress
where pp.merge_seq > progress.built_through;

-- Planner statistics for the temp table, or it guesses and hashes whole tables.
analyze changed_products;

-- A category not seen before for the product starts a new entry in its category history.
insert into dw.product_category_history (product_id, category, observed_from)
select
    p.product_id,
    p.category,
    case when latest.category is null then '-infinity'::timestamptz else p.updated_at end as observed_from
from changed_products as c
inner join mirror.products as p on c.product_id = p.product_id
left join lateral (
    select h.category
    from dw.product_category_history as h
    where h.product_id = p.product_id
    order by h.observed_from desc
    limit 1
) as latest on true
where latest.category is distinct from p.category
on conflict (product_id, observed_from) do update
    set category = excluded.category;

-- Rebuild every version of the changed products: one from each price-list row and each
-- category change, carrying the price and the category valid at its start. A version
-- keeps its surrogate key (the upsert is on product and valid_from), so facts keep
-- pointing at it.
create temp table product_version_starts on commit drop as
select
    starts.product_id,
    starts.valid_from,
    coalesce(lead(starts.valid_from) over versions, 'infinity') as valid_to
from (
    select
        pp.product_id,
        case
            when pp.valid_from = min(pp.valid_from) over (partition by pp.product_id)
                then '-infinity'::timestamptz
            else pp.valid_from
        end as valid_from
    from changed_products as c
    inner join mirror.product_prices as pp on c.product_id = pp.product_id
    union
    select
        h.product_id,
        h.observed_from
    from changed_products as c
    inner join dw.product_category_history as h on c.product_id = h.product_id
    union
    select
        c.product_id,
        '-infinity'::timestamptz
    from changed_products as c
) as starts
window versions as (partition by starts.product_id order by starts.valid_from);

analyze product_version_starts;

insert into dw.dim_product (
    product_id, sku, product_name, category, brand, list_price, unit_cost, is_active,
    valid_from, valid_to, is_current, is_inferred
)
select
    v.product_id,
    p.sku,
    p.product_name,
    coalesce(category.category, p.category) as category,
    p.brand,
    coalesce(price.list_price, p.list_price) as list_price,
    coalesce(price.unit_cost, p.unit_cost) as unit_cost,
    p.is_active,
    v.valid_from,
    v.valid_to,
    v.valid_to = 'infinity' as is_current,
    false as is_inferred
from product_version_starts as v
inner join mirror.products as p on v.product_id = p.product_id
left join lateral (
    -- the price-list row in force at the version's start (the first one for the first version)
    select
        pp.list_price,
        pp.unit_cost
    from mirror.product_prices as pp
    where pp.product_id = v.product_id
    order by
        (pp.valid_from <= v.valid_from) desc, case when pp.valid_from <= v.valid_from then pp.valid_from end desc,
        pp.valid_from asc
    limit 1
) as price on true
left join lateral (
    select h.category
    from dw.product_category_history as h
    where h.product_id = v.product_id and h.observed_from <= v.valid_from
    order by h.observed_from desc
    limit 1
) as category on true
on conflict (product_id, valid_from) do update
    set
        sku = excluded.sku,
        product_name = excluded.product_name,
        category = excluded.category,
        brand = excluded.brand,
        list_price = excluded.list_price,
        unit_cost = excluded.unit_cost,
        is_active = excluded.is_active,
        valid_to = excluded.valid_to,
        is_current = excluded.is_current,
        is_inferred = false
    where
    (
        dw.dim_product.sku, dw.dim_product.product_name, dw.dim_product.category, dw.dim_product.brand,
        dw.dim_product.list_price, dw.dim_product.unit_cost, dw.dim_product.is_active,
        dw.dim_product.valid_to, dw.dim_product.is_inferred
    )
    is distinct from
    (
        excluded.sku, excluded.product_name, excluded.category, excluded.brand,
        excluded.list_price, excluded.unit_cost, excluded.is_active, excluded.valid_to, false
    );

insert into audit.build_progress (target_table, built_through_merge_seq, run_id)
select
    'dim_product',
    greatest(
        (select coalesce(max(p.merge_seq), 0) from mirror.products as p),
        (select coalesce(max(pp.merge_seq), 0) from mirror.product_prices as pp)
    ),
    %(run_id)s
on conflict (target_table) do update
    set
        built_through_merge_seq
        = greatest(audit.build_progress.built_through_merge_seq, excluded.built_through_merge_seq),
        run_id = excluded.run_id,
        built_at = now();
