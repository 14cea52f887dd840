-- Customer retention of the latest monthly cohorts, by months since their first order.
select
    r.cohort_month,
    r.months_since_first,
    r.cohort_customers,
    r.customer_retention_pct
from marts.cohort_retention as r
where r.cohort_month >= (select max(m.cohort_month) from marts.cohort_retention as m) - %(months)s * interval '1 month'
order by r.cohort_month, r.months_since_first;
