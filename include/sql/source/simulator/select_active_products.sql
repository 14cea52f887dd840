select
    product_id,
    category,
    list_price,
    unit_cost
from shop.products
where is_active
order by product_id;
