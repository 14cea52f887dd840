-- Cohorts whose first month does not count every one of their customers as active.
select
    b.cohort_month,
    b.cohort_customers,
    b.active_customers
from batch as b
where b.months_since_first = 0 and b.active_customers <> b.cohort_customers
