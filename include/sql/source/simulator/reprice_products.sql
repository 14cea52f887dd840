-- A price-list change: a new row in the price history, and the product's current price.
with new_prices as (
    insert into shop.product_prices (product_id, valid_from, list_price, unit_cost)
    select
        x.product_id,
        x.valid_from,
        x.list_price,
        x.unit_cost
    from
        unnest(
            %(product_id)s::bigint[],
            %(valid_from)s::timestamptz[],
            %(list_price)s::numeric[],
            %(unit_cost)s::numeric[]
        ) as x (product_id, valid_from, list_price, unit_cost)
    on conflict (product_id, valid_from) do nothing
    returning product_id, list_price, unit_cost
)

update shop.products as p
set list_price = n.list_price, unit_cost = n.unit_cost
from new_prices as n
where p.product_id = n.product_id;
