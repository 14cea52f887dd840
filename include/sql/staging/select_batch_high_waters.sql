-- The newest updated_at in each staged batch (unparseable values are the merge's business).
select
    'carriers' as table_name,
    max(case when pg_input_is_valid(updated_at, 'timestamptz') then updated_at::timestamptz end) as newest_updated_at
from staging.carriers
union all
select
    'fulfillment_centers' as table_name,
    max(case when pg_input_is_valid(updated_at, 'timestamptz') then updated_at::timestamptz end) as newest_updated_at
from staging.fulfillment_centers
union all
select
    'customers' as table_name,
    max(case when pg_input_is_valid(updated_at, 'timestamptz') then updated_at::timestamptz end) as newest_updated_at
from staging.customers
union all
select
    'products' as table_name,
    max(case when pg_input_is_valid(updated_at, 'timestamptz') then updated_at::timestamptz end) as newest_updated_at
from staging.products
union all
select
    'product_prices' as table_name,
    max(case when pg_input_is_valid(updated_at, 'timestamptz') then updated_at::timestamptz end) as newest_updated_at
from staging.product_prices
union all
select
    'promotions' as table_name,
    max(case when pg_input_is_valid(updated_at, 'timestamptz') then updated_at::timestamptz end) as newest_updated_at
from staging.promotions
union all
select
    'orders' as table_name,
    max(case when pg_input_is_valid(updated_at, 'timestamptz') then updated_at::timestamptz end) as newest_updated_at
from staging.orders
union all
select
    'order_items' as table_name,
    max(case when pg_input_is_valid(updated_at, 'timestamptz') then updated_at::timestamptz end) as newest_updated_at
from staging.order_items
union all
select
    'payments' as table_name,
    max(case when pg_input_is_valid(updated_at, 'timestamptz') then updated_at::timestamptz end) as newest_updated_at
from staging.payments
union all
select
    'shipments' as table_name,
    max(case when pg_input_is_valid(updated_at, 'timestamptz') then updated_at::timestamptz end) as newest_updated_at
from staging.shipments
union all
select
    'returns' as table_name,
    max(case when pg_input_is_valid(updated_at, 'timestamptz') then updated_at::timestamptz end) as newest_updated_at
from staging.returns;
