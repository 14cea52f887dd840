-- Landing tables: the changed source rows of the current run, exactly as extracted.
-- Every column is text, so that a value the warehouse cannot parse still lands and can be
-- rejected with a reason instead of failing the load. Emptied at the start of every extraction.

create table if not exists staging.carriers (
    carrier_code text,
    carrier_name text,
    created_at text,
    updated_at text
);

create table if not exists staging.fulfillment_centers (
    fulfillment_center_code text,
    city text,
    region text,
    created_at text,
    updated_at text
);

create table if not exists staging.customers (
    customer_id text,
    email text,
    full_name text,
    region text,
    country_code text,
    segment text,
    acquisition_channel text,
    status text,
    signed_up_at text,
    created_at text,
    updated_at text
);

create table if not exists staging.products (
    product_id text,
    sku text,
    product_name text,
    category text,
    brand text,
    list_price text,
    unit_cost text,
    is_active text,
    created_at text,
    updated_at text
);

create table if not exists staging.product_prices (
    product_id text,
    valid_from text,
    list_price text,
    unit_cost text,
    created_at text,
    updated_at text
);

create table if not exists staging.promotions (
    promotion_id text,
    promotion_code text,
    discount_rate text,
    starts_at text,
    ends_at text,
    status text,
    created_at text,
    updated_at text
);

create table if not exists staging.orders (
    order_id text,
    customer_id text,
    channel text,
    status text,
    promotion_id text,
    currency_code text,
    ordered_at text,
    paid_at text,
    cancelled_at text,
    created_at text,
    updated_at text
);

create table if not exists staging.order_items (
    order_item_id text,
    order_id text,
    line_number text,
    product_id text,
    quantity text,
    unit_price text,
    discount_amount text,
    created_at text,
    updated_at text
);

create table if not exists staging.payments (
    payment_id text,
    order_id text,
    attempt_number text,
    payment_method text,
    provider text,
    status text,
    amount text,
    decline_reason text,
    attempted_at text,
    created_at text,
    updated_at text
);

create table if not exists staging.shipments (
    shipment_id text,
    order_id text,
    carrier_code text,
    fulfillment_center_code text,
    status text,
    shipping_cost text,
    promised_at text,
    shipped_at text,
    delivered_at text,
    created_at text,
    updated_at text
);

create table if not exists staging.returns (
    return_id text,
    order_item_id text,
    quantity text,
    refund_amount text,
    reason text,
    status text,
    requested_at text,
    received_at text,
    refunded_at text,
    created_at text,
    updated_at text
);

-- One row per table for the batch in staging: which run extracted it, from which
-- watermark, and the watermark the merge may advance to once the batch is in.
create table if not exists staging.extract_batches (
    table_name text primary key,
    run_id text not null,
    extracted_rows integer not null,
    watermark_from timestamptz,
    watermark_to timestamptz,
    extracted_at timestamptz not null default now()
);
