-- The published daily cube (day × channel × region × category) with the additive
-- parts of every KPI, for BI tools that filter on several dimensions at once and
-- re-aggregate ratios from their parts (docs/bi.md). Like the KPI tables it is built
-- aside in candidate for the days marked dirty and swapped into marts with them; it
-- exists (empty) from the start so BI tools can connect to it on day one.
create table if not exists marts.kpi_cube_daily (
    period_start date not null,
    channel text not null,
    region text not null,
    category text not null,
    orders bigint,
    orders_in_category bigint,
    units bigint,
    gross_sales numeric,
    discounts numeric,
    returned_units bigint,
    returns_amount numeric,
    refunds numeric,
    cost_of_goods numeric,
    lines_without_cost bigint,
    shipping_cost numeric,
    deliveries bigint,
    deliveries_on_time bigint,
    days_to_deliver numeric,
    payment_attempts bigint,
    declined_attempts bigint,
    authorized_attempts bigint,
    paying_orders bigint,
    authorized_orders bigint,
    orders_with_decline bigint,
    primary key (period_start, channel, region, category)
);

-- The cube is filled by the next candidate build: mark every day, so that build
-- recomputes the KPI tables and the cube whole, from the facts.
insert into kpi.kpi_dirty_days (calendar_date) values ('-infinity');
