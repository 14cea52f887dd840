-- The source's current state, typed: one row per source key, the newest version wins.
-- The star schema is derived from these tables, so a late or out-of-order change
-- lands on the same facts an initial load would have produced.

-- Every merge statement takes the next number and stamps the rows it wrote with it.
-- A dimension or fact build remembers the number it has been built through
-- (audit.build_progress), so it rebuilds exactly the rows merged since, and a run
-- that dies between a merge and a build catches up on the next run.
create sequence if not exists mirror.merge_seq;

create table if not exists audit.build_progress (
    target_table text primary key,
    built_through_merge_seq bigint not null,
    run_id text not null,
    built_at timestamptz not null default now()
);

create table if not exists mirror.carriers (
    carrier_code text not null,
    carrier_name text not null,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    loaded_run_id text not null,
    merge_seq bigint not null,
    primary key (carrier_code)
);

create index if not exists carriers_merge_seq_idx on mirror.carriers (merge_seq);

create table if not exists mirror.fulfillment_centers (
    fulfillment_center_code text not null,
    city text not null,
    region text not null,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    loaded_run_id text not null,
    merge_seq bigint not null,
    primary key (fulfillment_center_code)
);

create index if not exists fulfillment_centers_merge_seq_idx on mirror.fulfillment_centers (merge_seq);

create table if not exists mirror.customers (
    customer_id bigint not null,
    email text not null,
    full_name text not null,
    region text not null,
    country_code text not null,
    segment text not null,
    acquisition_channel text not null,
    status text not null,
    signed_up_at timestamptz not null,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    loaded_run_id text not null,
    merge_seq bigint not null,
    primary key (customer_id)
);

create index if not exists customers_merge_seq_idx on mirror.customers (merge_seq);

create table if not exists mirror.products (
    product_id bigint not null,
    sku text not null,
    product_name text not null,
    category text not null,
    brand text not null,
    list_price numeric not null,
    unit_cost numeric not null,
    is_active boolean not null,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    loaded_run_id text not null,
    merge_seq bigint not null,
    primary key (product_id)
);

create index if not exists products_merge_seq_idx on mirror.products (merge_seq);

create table if not exists mirror.product_prices (
    product_id bigint not null,
    valid_from timestamptz not null,
    list_price numeric not null,
    unit_cost numeric not null,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    loaded_run_id text not null,
    merge_seq bigint not null,
    primary key (product_id, valid_from)
);

create index if not exists product_prices_merge_seq_idx on mirror.product_prices (merge_seq);

create table if not exists mirror.promotions (
    promotion_id bigint not null,
    promotion_code text not null,
    discount_rate numeric not null,
    starts_at timestamptz not null,
    ends_at timestamptz not null,
    status text not null,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    loaded_run_id text not null,
    merge_seq bigint not null,
    primary key (promotion_id)
);

create index if not exists promotions_merge_seq_idx on mirror.promotions (merge_seq);

create table if not exists mirror.orders (
    order_id bigint not null,
    customer_id bigint not null,
    channel text not null,
    status text not null,
    promotion_id bigint,
    currency_code text not null,
    ordered_at timestamptz not null,
    paid_at timestamptz,
    cancelled_at timestamptz,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    loaded_run_id text not null,
    merge_seq bigint not null,
    primary key (order_id)
);

create index if not exists orders_merge_seq_idx on mirror.orders (merge_seq);

create table if not exists mirror.order_items (
    order_item_id bigint not null,
    order_id bigint not null,
    line_number integer not null,
    product_id bigint not null,
    quantity integer not null,
    unit_price numeric not null,
    discount_amount numeric not null,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    loaded_run_id text not null,
    merge_seq bigint not null,
    primary key (order_item_id)
);

create index if not exists order_items_merge_seq_idx on mirror.order_items (merge_seq);

create table if not exists mirror.payments (
    payment_id bigint not null,
    order_id bigint not null,
    attempt_number integer not null,
    payment_method text not null,
    provider text not null,
    status text not null,
    amount numeric not null,
    decline_reason text,
    attempted_at timestamptz not null,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    loaded_run_id text not null,
    merge_seq bigint not null,
    primary key (payment_id)
);

create index if not exists payments_merge_seq_idx on mirror.payments (merge_seq);

create table if not exists mirror.shipments (
    shipment_id bigint not null,
    order_id bigint not null,
    carrier_code text not null,
    fulfillment_center_code text not null,
    status text not null,
    shipping_cost numeric not null,
    promised_at timestamptz not null,
    shipped_at timestamptz,
    delivered_at timestamptz,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    loaded_run_id text not null,
    merge_seq bigint not null,
    primary key (shipment_id)
);

create index if not exists shipments_merge_seq_idx on mirror.shipments (merge_seq);

create table if not exists mirror.returns (
    return_id bigint not null,
    order_item_id bigint not null,
    quantity integer not null,
    refund_amount numeric not null,
    reason text not null,
    status text not null,
    requested_at timestamptz not null,
    received_at timestamptz,
    refunded_at timestamptz,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    loaded_run_id text not null,
    merge_seq bigint not null,
    primary key (return_id)
);

create index if not exists returns_merge_seq_idx on mirror.returns (merge_seq);
