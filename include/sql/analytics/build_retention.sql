-- Retention as of %(as_of)s: RFM per customer, churn and its evidence, and
-- monthly acquisition cohorts, written to `candidate`. Orders count when they
-- were placed by the as-of date and are not cancelled ("kept"); their net sales
-- follow the KPI definition (gross - discount - returned units at the price
-- paid), counting the returns requested by the as-of date. Reads the per-order
-- state analytics/refresh_order_state.sql brings up to date first.
set local work_mem = '256MB';

-- Kept orders come from analytics.order_state (refreshed just before, in this
-- transaction). An order whose lines and returns were all counted by the as-of
-- date is taken as the state holds it; one with a line or a return after it
-- (the last days' orders) is counted from the facts as they stood then.
create temp table kept_orders on commit drop as
select
    s.customer_id,
    s.order_id,
    s.ordered_at,
    (s.ordered_at at time zone 'UTC')::date as order_date,
    s.net_sales
from analytics.order_state as s
where
    s.kept_lines > 0
    and s.last_date_key <= to_char(%(as_of)s::date, 'YYYYMMDD')::integer
    and (s.last_returned_at is null or s.last_returned_at < %(as_of)s::date + 1);

create temp table unsettled_orders on commit drop as
select s.order_id
from analytics.order_state as s
where
    s.kept_lines > 0
    and s.first_date_key <= to_char(%(as_of)s::date, 'YYYYMMDD')::integer
    and (
        s.last_date_key > to_char(%(as_of)s::date, 'YYYYMMDD')::integer
        or s.last_returned_at >= %(as_of)s::date + 1
    );

insert into kept_orders
with returned as (
    select
        r.order_item_id,
        sum(r.quantity) as returned_units
    from dw.fct_return_line as r
    where
        r.return_status <> 'rejected'
        and r.requested_at < %(as_of)s::date + 1
        and r.order_id in (select u.order_id from unsettled_orders as u)
    group by r.order_item_id
)

select
    c.customer_id,
    f.order_id,
    min(f.ordered_at) as ordered_at,
    (min(f.ordered_at) at time zone 'UTC')::date as order_date,
    sum(f.net_amount - round(f.net_amount * coalesce(r.returned_units, 0) / f.quantity, 2)) as net_sales
from dw.fct_order_line as f
inner join dw.dim_customer as c on f.customer_key = c.customer_key
left join returned as r on f.order_item_id = r.order_item_id
where
    not f.is_cancelled
    and f.order_date_key <= to_char(%(as_of)s::date, 'YYYYMMDD')::integer
    and f.order_id in (select u.order_id from unsettled_orders as u)
group by c.customer_id, f.order_id;

analyze kept_orders;

-- RFM. A score is 1 + floor(5 x percent rank), so the scores are quintiles and
-- equal values always get equal scores; customers with the smallest value score 1.
-- Recency is inverted: the longest since the last order scores 1.
drop table if exists candidate.customer_rfm;
create table candidate.customer_rfm (like marts.customer_rfm including all);

insert into candidate.customer_rfm
with customers as (
    select
        o.customer_id,
        min(o.order_date) as first_order_date,
        max(o.order_date) as last_order_date,
        %(as_of)s::date - max(o.order_date) as recency_days,
        count(*) as frequency,
        sum(o.net_sales) as monetary
    from kept_orders as o
    group by o.customer_id
),

scored as (
    select
        c.*,
        least(5, 1 + floor(5 * percent_rank() over (order by c.recency_days desc)))::smallint as r_score,
        least(5, 1 + floor(5 * percent_rank() over (order by c.frequency)))::smallint as f_score,
        least(5, 1 + floor(5 * percent_rank() over (order by c.monetary)))::smallint as m_score
    from customers as c
)

select
    s.customer_id,
    s.first_order_date,
    s.last_order_date,
    s.recency_days,
    s.frequency,
    s.monetary,
    s.r_score,
    s.f_score,
    s.m_score,
    ((s.f_score + s.m_score + 1) / 2)::smallint as fm_score,
    concat_ws('-', s.r_score, s.f_score, s.m_score) as rfm_cell,
    d.segment,
    date_trunc('month', s.first_order_date)::date as acquisition_cohort,
    coalesce(dc.acquisition_channel, 'unknown') as acquisition_channel,
    coalesce(dc.segment, 'unknown') as customer_segment,
    s.recency_days > %(churn_window_days)s as is_churned,
    %(as_of)s::date as as_of
from scored as s
left join marts.rfm_segment_definitions as d
    on
        s.r_score between d.r_score_min and d.r_score_max
        and (s.f_score + s.m_score + 1) / 2 between d.fm_score_min and d.fm_score_max
left join dw.dim_customer as dc on s.customer_id = dc.customer_id and dc.is_current;

analyze candidate.customer_rfm;

drop table if exists candidate.rfm_segment_summary;
create table candidate.rfm_segment_summary (like marts.rfm_segment_summary including all);

insert into candidate.rfm_segment_summary
select
    r.segment,
    count(*) as customers,
    round(count(*)::numeric / sum(count(*)) over (), 6) as share_of_customers,
    round(avg(r.recency_days), 2) as average_recency_days,
    round(avg(r.frequency), 3) as average_frequency,
    round(avg(r.monetary), 2) as average_monetary,
    sum(r.monetary) as total_monetary,
    round(sum(r.monetary) / nullif(sum(sum(r.monetary)) over (), 0), 6) as share_of_monetary,
    round(avg(r.is_churned::integer), 6) as churn_rate
from candidate.customer_rfm as r
group by r.segment;

-- Churn rate overall and by acquisition cohort, acquisition channel, customer segment and RFM segment.
drop table if exists candidate.churn_rates;
create table candidate.churn_rates (like marts.churn_rates including all);

insert into candidate.churn_rates
select
    case
        when grouping(r.acquisition_cohort) = 0 then 'acquisition_cohort'
        when grouping(r.acquisition_channel) = 0 then 'acquisition_channel'
        when grouping(r.customer_segment) = 0 then 'customer_segment'
        when grouping(r.segment) = 0 then 'rfm_segment'
        else 'all'
    end as dimension_name,
    coalesce(to_char(r.acquisition_cohort, 'YYYY-MM'), r.acquisition_channel, r.customer_segment, r.segment, 'all')
        as dimension_value,
    count(*) as customers,
    count(*) filter (where r.is_churned) as churned_customers,
    round(avg(r.is_churned::integer), 6) as churn_rate
from candidate.customer_rfm as r
group by grouping sets ((), (r.acquisition_cohort), (r.acquisition_channel), (r.customer_segment), (r.segment))
having count(*) > 0;

-- The days between a customer's consecutive kept orders.
create temp table repeat_gaps on commit drop as
select gap.gap_days
from (
    select
        extract(epoch from o.ordered_at - lag(o.ordered_at) over (partition by o.customer_id order by o.ordered_at))
        / 86400 as gap_days
    from kept_orders as o
) as gap
where gap.gap_days is not null;

drop table if exists candidate.repeat_purchase_gaps;
create table candidate.repeat_purchase_gaps (like marts.repeat_purchase_gaps including all);

insert into candidate.repeat_purchase_gaps
with buckets (bucket_order, gap_from_days, gap_to_days) as (
    values
    (1, 0, 7), (2, 7, 14), (3, 14, 30), (4, 30, 60), (5, 60, 90),
    (6, 90, 120), (7, 120, 180), (8, 180, 365), (9, 365, null)
),

counted as (
    select
        b.bucket_order,
        b.gap_from_days,
        b.gap_to_days,
        count(g.gap_days) as repeat_purchases
    from buckets as b
    left join repeat_gaps as g
        on
            (b.gap_from_days < g.gap_days or b.gap_from_days = 0)
            and (b.gap_to_days >= g.gap_days or b.gap_to_days is null)
    group by b.bucket_order, b.gap_from_days, b.gap_to_days
)

select
    c.bucket_order,
    c.gap_from_days,
    c.gap_to_days,
    case
        when c.gap_to_days is null then 'over ' || c.gap_from_days || ' days'
        else c.gap_from_days || '-' || c.gap_to_days || ' days'
    end as label,
    c.repeat_purchases,
    round(c.repeat_purchases::numeric / nullif(sum(c.repeat_purchases) over (), 0), 6) as share,
    round(
        sum(c.repeat_purchases) over (order by c.bucket_order)::numeric / nullif(sum(c.repeat_purchases) over (), 0),
        6
    ) as cumulative_share
from counted as c
where exists (select from repeat_gaps);  -- no repeat purchase, no distribution

-- How often the churn rule was wrong: at earlier as-of dates (every 30 days back, up to a
-- year, once the history is longer than the window), the customers each window would have
-- called churned, and how many of them placed a kept order again by the as-of date.
drop table if exists candidate.churn_window_backtest;
create table candidate.churn_window_backtest (like marts.churn_window_backtest including all);

insert into candidate.churn_window_backtest
with windows (churn_window_days) as (
    values (30), (60), (90), (120), (180), (365)
),

checked as (
    select %(as_of)s::date - 30 * n.n as checked_as_of
    from generate_series(1, 12) as n (n)
),

-- Each customer's distinct order days with the next one: at a checked date, the customer's
-- last order is the day whose interval to the next holds it, and they came back if there is a next.
customer_order_days as (
    select distinct
        k.customer_id,
        k.order_date
    from kept_orders as k
),

order_days as (
    select
        o.customer_id,
        o.order_date,
        lead(o.order_date) over (partition by o.customer_id order by o.order_date) as next_order_date
    from customer_order_days as o
),

silences as (
    select
        c.checked_as_of,
        c.checked_as_of - o.order_date as days_silent,
        o.next_order_date is not null as came_back,
        count(*) as customers
    from checked as c
    inner join order_days as o
        on
            c.checked_as_of >= o.order_date
            and (c.checked_as_of < o.next_order_date or o.next_order_date is null)
    group by c.checked_as_of, c.checked_as_of - o.order_date, o.next_order_date is not null
),

called as (
    select
        w.churn_window_days,
        s.checked_as_of,
        sum(s.customers)::integer as customers,
        coalesce(sum(s.customers) filter (where s.days_silent > w.churn_window_days), 0)::integer as called_churned,
        coalesce(sum(s.customers) filter (where s.days_silent > w.churn_window_days and s.came_back), 0)::integer
            as came_back
    from windows as w
    cross join silences as s
    where s.checked_as_of >= (select min(o.order_date) from kept_orders as o) + w.churn_window_days
    group by w.churn_window_days, s.checked_as_of
)

select
    %(as_of)s::date as as_of,
    c.churn_window_days,
    c.checked_as_of,
    %(as_of)s::date - c.checked_as_of as follow_up_days,
    c.customers,
    c.called_churned,
    c.came_back,
    round(c.came_back::numeric / nullif(c.called_churned, 0), 6) as came_back_share,
    c.churn_window_days = %(churn_window_days)s as is_chosen_window
from called as c;

drop table if exists candidate.churn_evidence;
create table candidate.churn_evidence (like marts.churn_evidence including all);

insert into candidate.churn_evidence
select
    %(as_of)s::date as as_of,
    %(churn_window_days)s,
    (select count(*) from candidate.customer_rfm) as customers,
    (
        select count(*) from candidate.customer_rfm as r
        where r.is_churned
    ) as churned_customers,
    (select round(avg(r.is_churned::integer), 6) from candidate.customer_rfm as r) as churn_rate,
    count(*) as repeat_purchases,
    round(percentile_cont(0.5) within group (order by g.gap_days)::numeric, 2) as median_gap_days,
    round(percentile_cont(0.75) within group (order by g.gap_days)::numeric, 2) as p75_gap_days,
    round(percentile_cont(0.9) within group (order by g.gap_days)::numeric, 2) as p90_gap_days,
    round(percentile_cont(0.95) within group (order by g.gap_days)::numeric, 2) as p95_gap_days,
    round(avg((g.gap_days <= %(churn_window_days)s)::integer), 6) as share_within_window,
    (
        select count(distinct s.customer_id)
        from analytics.order_state as s
        where
            s.first_date_key <= to_char(%(as_of)s::date, 'YYYYMMDD')::integer
            and not exists (
                select from kept_orders as k
                where k.customer_id = s.customer_id
            )
    ) as customers_only_cancelled,
    -- The window within which nine in ten repeat purchases came.
    ceil(percentile_cont(0.9) within group (order by g.gap_days))::integer as suggested_window_days,
    (
        select round(sum(b.came_back)::numeric / nullif(sum(b.called_churned), 0), 6)
        from candidate.churn_window_backtest as b
        where b.is_chosen_window
    ) as came_back_share
from repeat_gaps as g
having %(as_of)s::date is not null;  -- no as-of date: an empty warehouse, nothing to say

-- Cohorts: every month from a cohort's first to the as-of month, active or not.
drop table if exists candidate.cohort_retention;
create table candidate.cohort_retention (like marts.cohort_retention including all);

insert into candidate.cohort_retention
with activity as (
    select
        r.acquisition_cohort as cohort_month,
        (
            extract(year from age(date_trunc('month', o.order_date), r.acquisition_cohort)) * 12
            + extract(month from age(date_trunc('month', o.order_date), r.acquisition_cohort)))::integer
            as months_since_first,
        count(distinct o.customer_id) as active_customers,
        sum(o.net_sales) as net_sales
    from kept_orders as o
    inner join candidate.customer_rfm as r on o.customer_id = r.customer_id
    group by cohort_month, months_since_first
),

cohorts as (
    select
        r.acquisition_cohort as cohort_month,
        count(*) as cohort_customers
    from candidate.customer_rfm as r
    group by r.acquisition_cohort
),

grid as (
    select
        c.cohort_month,
        c.cohort_customers,
        m.months_since_first
    from cohorts as c
    cross join lateral generate_series(
        0,
        (
            extract(year from age(date_trunc('month', %(as_of)s::date), c.cohort_month)) * 12
            + extract(month from age(date_trunc('month', %(as_of)s::date), c.cohort_month))
        )::integer
    ) as m (months_since_first)
)

select
    g.cohort_month,
    g.months_since_first,
    g.cohort_customers,
    coalesce(a.active_customers, 0) as active_customers,
    round(coalesce(a.active_customers, 0)::numeric / g.cohort_customers, 6) as customer_retention_pct,
    coalesce(a.net_sales, 0) as net_sales,
    round(
        coalesce(a.net_sales, 0)
        / nullif(first_value(coalesce(a.net_sales, 0)) over (
            partition by g.cohort_month order by g.months_since_first
        ), 0),
        6
    ) as revenue_retention_pct
from grid as g
left join activity as a on g.cohort_month = a.cohort_month and g.months_since_first = a.months_since_first;
