-- Closed days in the reconciled range (at most its last 7: a first load does not
-- re-judge two years of history) whose net sales are below half or above twice
-- the median of the 28 days before (with at least 7 of them to compare).
with daily as (
    select
        b.period_start,
        b.net_sales
    from batch as b
),

scored as (
    select
        d.period_start,
        d.net_sales,
        prior_days.median_net_sales,
        prior_days.days_compared
    from daily as d
    cross join lateral (
        select
            percentile_cont(0.5) within group (order by p.net_sales) as median_net_sales,
            count(*) as days_compared
        from daily as p
        where p.period_start >= d.period_start - 28 and p.period_start < d.period_start
    ) as prior_days
)

select
    s.period_start,
    s.net_sales,
    round(s.median_net_sales::numeric, 2) as trailing_median,
    round(s.net_sales / nullif(s.median_net_sales::numeric, 0), 2) as ratio_to_median
from scored as s
inner join audit.quality_scope as q
    on s.period_start between greatest(q.reconciled_from, q.reconciled_through - 6) and q.reconciled_through
where
    s.days_compared >= 7
    and (s.net_sales < 0.5 * s.median_net_sales or s.net_sales > 2 * s.median_net_sales)
