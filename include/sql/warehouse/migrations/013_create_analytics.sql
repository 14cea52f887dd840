-- The analytics tables: retention (RFM, churn, cohorts), profit leakage, delivery
-- SLA drivers and the revenue forecast. Like the KPI tables, each run of the
-- analytics DAG builds them aside in `candidate`, the quality gate checks them,
-- and a passing gate swaps the whole set into `marts` in one transaction. The
-- tables exist (empty) from the start, so BI tools can connect to them on day one;
-- the candidate tables are created `like` these, so their columns are the contract.

-- What each analysis did in the published run: ok, simplified (a simpler method
-- than planned, and why), or skipped (and why).
create table if not exists marts.analytics_status (
    analysis text primary key,
    status text not null check (status in ('ok', 'simplified', 'skipped')),
    reason text not null,
    row_count integer not null,
    as_of date,
    run_id text not null,
    computed_at timestamptz not null default now()
);

-- RFM segments from the recency score and the mean of the frequency and monetary
-- scores (rounded half up), after the usual ten-segment grid.
create table if not exists marts.rfm_segment_definitions (
    segment text primary key,
    r_score_min smallint not null,
    r_score_max smallint not null,
    fm_score_min smallint not null,
    fm_score_max smallint not null,
    meaning text not null,
    suggested_action text not null
);

insert into marts.rfm_segment_definitions values
(
    'Champions', 5, 5, 4, 5, 'bought very recently, often and for a lot', 'reward; early access; referrals'
),
('Loyal', 3, 4, 4, 5, 'buy often and for a lot, a little less recently', 'upsell; loyalty programme'),
(
    'Potential Loyalists', 4, 5, 2, 3, 'recent customers with average frequency and spend',
    'membership or loyalty offer; recommendations'
),
('New', 5, 5, 1, 1, 'first bought very recently', 'onboarding; a good first delivery'),
('Promising', 4, 4, 1, 1, 'recent, but bought little so far', 'build the habit; second-order offer'),
('Need Attention', 3, 3, 1, 3, 'average recency, frequency and spend', 'limited-time offer; reactivation'),
('At Risk', 1, 2, 3, 4, 'used to buy often, not for a while', 'personal win-back; ask what went wrong'),
(
    'Can''t Lose Them', 1, 2, 5, 5, 'were the best customers, gone quiet',
    'win them back at a cost; talk to them'
),
('Hibernating', 2, 2, 1, 2, 'bought rarely, a while ago', 'cheap reactivation; otherwise let go'),
('Lost', 1, 1, 1, 2, 'bought rarely, long ago', 'no spend beyond a last campaign')
on conflict (segment) do nothing;

-- One row per customer with a kept (not cancelled) order by the as-of date.
create table if not exists marts.customer_rfm (
    customer_id bigint primary key,
    first_order_date date not null,
    last_order_date date not null,
    recency_days integer not null,
    frequency integer not null,
    monetary numeric(14, 2) not null,  -- net sales: after discounts and returns
    r_score smallint not null,
    f_score smallint not null,
    m_score smallint not null,
    fm_score smallint not null,
    rfm_cell text not null,
    segment text not null,
    acquisition_cohort date not null,  -- month of the first kept order
    acquisition_channel text not null,
    customer_segment text not null,
    is_churned boolean not null,
    as_of date not null
);

create table if not exists marts.rfm_segment_summary (
    segment text primary key,
    customers integer not null,
    share_of_customers numeric not null,
    average_recency_days numeric not null,
    average_frequency numeric not null,
    average_monetary numeric(14, 2) not null,
    total_monetary numeric(16, 2) not null,
    share_of_monetary numeric,
    churn_rate numeric not null
);

-- Churn: no kept order for 90 days at the as-of date.
create table if not exists marts.churn_rates (
    dimension_name text not null,  -- all, acquisition_cohort, acquisition_channel, customer_segment, rfm_segment
    dimension_value text not null,
    customers integer not null,
    churned_customers integer not null,
    churn_rate numeric not null,
    primary key (dimension_name, dimension_value)
);

-- The evidence for the 90-day window: how long customers take to come back.
create table if not exists marts.repeat_purchase_gaps (
    bucket_order smallint primary key,
    gap_from_days integer not null,
    gap_to_days integer,  -- null: open-ended
    label text not null,
    repeat_purchases integer not null,
    share numeric,
    cumulative_share numeric
);

create table if not exists marts.churn_evidence (
    as_of date primary key,
    churn_window_days integer not null,
    customers integer not null,
    churned_customers integer not null,
    churn_rate numeric,
    repeat_purchases integer not null,
    median_gap_days numeric,
    p75_gap_days numeric,
    p90_gap_days numeric,
    p95_gap_days numeric,
    share_within_window numeric,
    customers_only_cancelled integer not null
);

-- Monthly acquisition cohorts by months since the first kept order.
create table if not exists marts.cohort_retention (
    cohort_month date not null,
    months_since_first integer not null,
    cohort_customers integer not null,
    active_customers integer not null,
    customer_retention_pct numeric not null,
    net_sales numeric(16, 2) not null,
    revenue_retention_pct numeric,  -- null when the cohort's first month had no net sales
    primary key (cohort_month, months_since_first)
);

-- Money lost per driver. refunds_after_late_delivery is part of refunds, so the
-- total does not count it twice.
create table if not exists marts.profit_leakage (
    dimension_name text not null,  -- all, category, channel, carrier, fulfillment_center
    dimension_value text not null,
    gross_sales numeric(16, 2) not null,
    discounts numeric(16, 2) not null,
    refunds numeric(16, 2) not null,
    refunds_after_late_delivery numeric(16, 2) not null,
    shipping_cost numeric(16, 2) not null,
    declined_payments numeric(16, 2) not null,  -- orders cancelled after every payment attempt was declined
    total_leakage numeric(16, 2) not null,
    leakage_pct_of_gross numeric,
    primary key (dimension_name, dimension_value)
);

create table if not exists marts.leakage_top_categories (
    leakage_rank smallint primary key,
    category text not null unique,
    gross_sales numeric(16, 2) not null,
    total_leakage numeric(16, 2) not null,
    leakage_pct_of_gross numeric,
    largest_driver text not null,
    largest_driver_amount numeric(16, 2) not null,
    refund_pct_of_gross numeric
);

-- On-time delivery by carrier, fulfillment center, region and carrier x center.
create table if not exists marts.sla_on_time (
    dimension_name text not null,  -- carrier, fulfillment_center, region, carrier_fulfillment_center
    dimension_value text not null,
    carrier text,
    fulfillment_center text,
    region text,
    deliveries integer not null,
    on_time_deliveries integer not null,
    on_time_pct numeric not null,
    average_days_late numeric,  -- over the late deliveries
    worst_rank integer not null,  -- 1 = lowest on-time % within the dimension (at least 30 deliveries first)
    primary key (dimension_name, dimension_value)
);

-- Logistic regression of lateness on carrier, center, region, weekday and order size.
create table if not exists marts.sla_lateness_drivers (
    term text primary key,
    variable text not null,
    level text,
    reference_level text,
    coefficient numeric not null,
    std_error numeric,
    odds_ratio numeric,
    odds_ratio_lower_95 numeric,
    odds_ratio_upper_95 numeric,
    p_value numeric
);

-- The forecast models' rolling-origin backtest and the forecast itself.
create table if not exists marts.forecast_backtest (
    model text primary key,
    folds integer not null,
    horizon_days integer not null,
    mae numeric,
    smape numeric,
    mase numeric,
    is_chosen boolean not null
);

create table if not exists marts.revenue_forecast (
    model text not null,
    period_start date not null,
    forecast numeric(16, 2) not null,
    lower_80 numeric(16, 2),
    upper_80 numeric(16, 2),
    lower_95 numeric(16, 2),
    upper_95 numeric(16, 2),
    is_chosen boolean not null,
    primary key (model, period_start)
);

-- Which publication a row of audit.publications is about.
alter table audit.publications add column if not exists publication text not null default 'kpis';
