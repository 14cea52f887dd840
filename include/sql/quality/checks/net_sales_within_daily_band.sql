-- Closed days in the reconciled range (at most its last 7: a first load does not re-judge two years
-- of history) whose net sales fall outside the band this shop's own history draws around them.
--
-- The centre is the median of a reference: the same weekday over the 8 weeks before (at least 4 of
-- them), else the 28 days before (at least 7); days without sales count as zero. The width is the
-- wider of ½× to 2× that median and 5 standard deviations around the mean day, where a day's sales
-- are taken as the sum of a Poisson number of orders (compound Poisson: variance = orders a day ×
-- mean squared order value, from the orders of the 28 days before) or, if larger, the reference
-- days' own spread. A shop with thousands of orders a day keeps the ½×–2× band; a small shop, whose
-- day is a handful of orders of very different sizes, gets the width its orders imply.
with span as (
    select
        min(b.period_start) as first_day,
        max(b.period_start) as last_day
    from batch as b
),

daily as (
    select
        gs.calendar_date::date as period_start,
        coalesce(b.net_sales, 0) as net_sales
    from span as s
    cross join generate_series(s.first_day, s.last_day, interval '1 day') as gs (calendar_date)
    left join batch as b on gs.calendar_date::date = b.period_start
),

judged_days as (
    select
        d.period_start,
        d.net_sales
    from daily as d
    inner join audit.quality_scope as q
        on d.period_start between greatest(q.reconciled_from, q.reconciled_through - 6) and q.reconciled_through
),

-- The kept orders of the 28 days before the first judged day through the last: their values.
order_values as (
    select
        to_date(f.order_date_key::text, 'YYYYMMDD') as order_day,
        sum(f.net_amount) as order_value
    from dw.fct_order_line as f
    where
        not f.is_cancelled
        and f.order_date_key >= (select to_char(min(j.period_start) - 28, 'YYYYMMDD')::integer from judged_days as j)
        and f.order_date_key < (select to_char(max(j.period_start), 'YYYYMMDD')::integer from judged_days as j)
    group by f.order_id, f.order_date_key
),

reference_rules (priority, reference, span_days, step_days, min_days) as (
    values
    (1, 'same weekday, 8 weeks before', 56, 7, 4),
    (2, '28 days before', 28, 1, 7)
),

scored as (
    select
        j.period_start,
        j.net_sales,
        ref.reference,
        ref.days_compared,
        ref.median_net_sales,
        pace.orders_a_day,
        greatest(sqrt(pace.orders_a_day * pace.mean_squared_order_value), ref.sd_net_sales) as sd_day,
        pace.orders_a_day * pace.mean_order_value as mean_day
    from judged_days as j
    cross join
        lateral (
            select
                r.reference,
                count(*) as days_compared,
                percentile_cont(0.5) within group (order by p.net_sales)::numeric as median_net_sales,
                coalesce(stddev_samp(p.net_sales), 0) as sd_net_sales
            from reference_rules as r
            inner join daily as p
                on
                    j.period_start > p.period_start
                    and j.period_start - r.span_days <= p.period_start
                    and mod(j.period_start - p.period_start, r.step_days) = 0
            group by r.priority, r.reference, r.min_days
            having count(*) >= r.min_days
            order by r.priority
            limit 1
        ) as ref
    cross join lateral (
        select
            count(*) / 28.0 as orders_a_day,
            coalesce(avg(o.order_value), 0) as mean_order_value,
            coalesce(avg(o.order_value * o.order_value), 0) as mean_squared_order_value
        from order_values as o
        where j.period_start > o.order_day and j.period_start - 28 <= o.order_day
    ) as pace
),

banded as (
    select
        s.*,
        greatest(least(0.5 * s.median_net_sales, s.mean_day - 5 * s.sd_day), 0) as band_low,
        greatest(2 * s.median_net_sales, s.mean_day + 5 * s.sd_day) as band_high
    from scored as s
)

select
    b.period_start,
    b.net_sales,
    b.reference,
    b.days_compared,
    round(b.median_net_sales, 2) as reference_median,
    round(b.orders_a_day, 1) as orders_a_day,
    round(b.band_low, 2) as band_low,
    round(b.band_high, 2) as band_high
from banded as b
where b.net_sales < b.band_low or b.net_sales > b.band_high
