-- The shop's churn rate and the evidence for its window.
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
    e.suggested_window_days,
    e.came_back_share
from marts.churn_evidence as e
order by e.as_of desc
limit 1;
