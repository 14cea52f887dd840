-- Bring dim_product up to date with the products and price-list rows merged since
-- its last build. Versions follow the shop's price list (type 2 on list price and
-- unit cost); a product's first version is valid from the beginning of time.

-- The changed sets are small next to the mirror: look rows up by index rather than scan.
set local random_page_cost = 1.1;

-- Wait for merges still in flight (they hold this lock shared), so no merged row is skipped.
select pg_advisory_xact_lock(36020252);

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

-- Rebuild every version of the changed products; a version keeps its surrogate key
-- (the upsert is on product and valid_from), so facts keep pointing at it.
insert into dw.dim_product (
    product_id, sku, product_name, category, brand, list_price, unit_cost, is_active,
    valid_from, valid_to, is_current, is_inferred
)
select
    v.product_id,
    v.sku,
    v.product_name,
    v.category,
    v.brand,
    v.list_price,
    v.unit_cost,
    v.is_active,
    v.valid_from,
    v.valid_to,
    v.valid_to = 'infinity' as is_current,
    false as is_inferred
from (
    select
        p.product_id,
        p.sku,
        p.product_name,
        p.category,
        p.brand,
        coalesce(pp.list_price, p.list_price) as list_price,
        coalesce(pp.unit_cost, p.unit_cost) as unit_cost,
        p.is_active,
        case
            when row_number() over versions = 1 then '-infinity'::timestamptz else pp.valid_from
        end as valid_from,
        coalesce(lead(pp.valid_from) over versions, 'infinity') as valid_to
    from changed_products as c
    inner join mirror.products as p on c.product_id = p.product_id
    left join mirror.product_prices as pp on c.product_id = pp.product_id
    window versions as (partition by p.product_id order by pp.valid_from)
) as v
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
