-- What the retention build found, for its status rows.
select
    (select count(*) from candidate.customer_rfm) as customers,
    (
        select count(*) from candidate.customer_rfm as r
        where r.is_churned
    ) as churned_customers,
    (
        select coalesce(max(e.customers_only_cancelled), 0) from candidate.churn_evidence as e
    ) as customers_only_cancelled,
    (select %(as_of)s::date - min(r.first_order_date) + 1 from candidate.customer_rfm as r) as history_days,
    (select coalesce(max(e.repeat_purchases), 0) from candidate.churn_evidence as e) as repeat_purchases,
    (select max(e.came_back_share) from candidate.churn_evidence as e) as came_back_share,
    (select max(e.suggested_window_days) from candidate.churn_evidence as e) as suggested_window_days,
    (select count(*) from candidate.cohort_retention) as cohort_rows,
    (select count(distinct c.cohort_month) from candidate.cohort_retention as c) as cohorts;
