-- The shop keeps only a product's current category. The warehouse keeps every
-- category it has seen, from when the shop recorded the change, so dim_product can
-- version category changes (type 2) as it versions the price list.
create table if not exists dw.product_category_history (
    product_id bigint not null,
    category text not null,
    observed_from timestamptz not null,
    primary key (product_id, observed_from)
);
