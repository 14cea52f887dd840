select
    e.as_of,
    e.churn_window_days,
    e.customers,
    e.churned_customers,
    e.churn_rate,
    e.repeat_purchases,
    e.median_gap_days,
    e.p90_gap_days,
    e.share_within_window,
    e.customers_only_cancelled,
    e.came_back_share,
    e.suggested_window_days
from marts.churn_evidence as e;
