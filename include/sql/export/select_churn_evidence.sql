-- The evidence for the churn window: how long customers take to come back.
select
    e.as_of,
    e.churn_window_days,
    e.suggested_window_days,
    e.customers,
    e.churned_customers,
    e.churn_rate,
    e.repeat_purchases,
    e.median_gap_days,
    e.p75_gap_days,
    e.p90_gap_days,
    e.p95_gap_days,
    e.share_within_window,
    e.came_back_share,
    e.customers_only_cancelled
from marts.churn_evidence as e
order by e.as_of;
