-- Facts at their natural grains. Each row keeps the source key it came from and
-- points at dimension members; amounts are in the order's currency.
-- Pages keep free space so a status change updates a fact in place (a HOT update:
-- no index entries rewritten), which most incremental changes are.

-- One row per order line.
create table if not exists dw.fct_order_line (
    order_item_id bigint primary key,
    order_id bigint not null,
    line_number integer not null,
    order_date_key integer not null,
    ordered_at timestamptz not null,
    customer_key bigint not null,
    product_key bigint not null,
    channel_key integer not null,
    promotion_key bigint not null,
    order_status text not null,
    is_cancelled boolean not null,
    quantity integer not null,
    unit_price numeric(12, 2) not null,
    gross_amount numeric(14, 2) not null,
    discount_amount numeric(14, 2) not null,
    net_amount numeric(14, 2) not null,
    unit_cost numeric(12, 2),  -- the cost valid when the order was placed; null while unknown
    cost_amount numeric(14, 2),
    source_updated_at timestamptz not null
) with (fillfactor = 85);

create index if not exists fct_order_line_order_idx on dw.fct_order_line (order_id);
create index if not exists fct_order_line_date_idx on dw.fct_order_line (order_date_key);

-- One row per payment attempt.
create table if not exists dw.fct_payment_attempt (
    payment_id bigint primary key,
    order_id bigint not null,
    attempt_date_key integer not null,
    attempted_at timestamptz not null,
    customer_key bigint not null,
    channel_key integer not null,
    payment_method_key integer not null,
    provider text not null,
    attempt_number integer not null,
    payment_status text not null,
    is_declined boolean not null,
    decline_reason text,
    amount numeric(14, 2) not null,
    source_updated_at timestamptz not null
) with (fillfactor = 85);

create index if not exists fct_payment_attempt_order_idx on dw.fct_payment_attempt (order_id);

-- One row per shipment: promised against delivered.
create table if not exists dw.fct_shipment (
    shipment_id bigint primary key,
    order_id bigint not null unique,
    order_date_key integer not null,
    customer_key bigint not null,
    carrier_key integer not null,
    fulfillment_center_key integer not null,
    shipment_status text not null,
    promised_at timestamptz not null,
    shipped_at timestamptz,
    delivered_at timestamptz,
    delivered_date_key integer,
    is_delivered boolean not null,
    is_on_time boolean,  -- delivered on or before the promised time; null until delivered
    days_to_deliver numeric(8, 2),  -- shipped to delivered
    days_late numeric(8, 2),
    shipping_cost numeric(12, 2) not null,
    source_updated_at timestamptz not null
) with (fillfactor = 85);

-- One row per returned line.
create table if not exists dw.fct_return_line (
    return_id bigint primary key,
    order_item_id bigint not null,
    order_id bigint not null,
    requested_date_key integer not null,
    customer_key bigint not null,
    product_key bigint not null,
    return_status text not null,
    reason text not null,
    quantity integer not null,
    refund_amount numeric(14, 2) not null,
    requested_at timestamptz not null,
    received_at timestamptz,
    refunded_at timestamptz,
    delivered_at timestamptz,
    days_after_delivery numeric(8, 2),
    followed_late_delivery boolean,
    source_updated_at timestamptz not null
) with (fillfactor = 85);

create index if not exists fct_return_line_item_idx on dw.fct_return_line (order_item_id);
