-- State the analytics keep so that a run after a small change reads what changed,
-- not every fact. `analytics.order_state` holds, per order, what retention (RFM,
-- churn, cohorts) needs from its lines and returns, over all of them: an as-of
-- date is applied when it is read. `analytics.changed_orders` lists the orders
-- whose lines or returns changed since the state was last brought up to date
-- (a statement trigger on the two facts writes it, see
-- definitions/92_analytics.note_changed_orders.sql) while `analytics.state_builds`
-- has a row for the state; a state whose row is not `is_built` is rebuilt whole by
-- the next analytics run.
create schema if not exists analytics;

create table if not exists analytics.order_state (
    order_id bigint primary key,
    customer_id bigint not null,
    first_date_key integer not null,  -- the order day of its earliest and latest line
    last_date_key integer not null,
    units bigint not null,  -- of every line, cancelled or not
    kept_lines integer not null,  -- lines not cancelled; 0: the order does not count as kept
    ordered_at timestamptz,  -- of its first kept line
    net_sales numeric,  -- kept lines less the units of every return not rejected, at the price paid
    last_returned_at timestamptz  -- when the newest such return was asked for
);

create index if not exists order_state_customer_idx on analytics.order_state (customer_id);

create table if not exists analytics.changed_orders (
    order_id bigint not null
);

create index if not exists changed_orders_order_idx on analytics.changed_orders (order_id);

create table if not exists analytics.state_builds (
    state text primary key,
    is_built boolean not null default false,
    built_by_run text,
    built_at timestamptz
);
