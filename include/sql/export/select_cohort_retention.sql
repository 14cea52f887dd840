-- The published cohort retention, one row per acquisition month and month since it.
select
    c.cohort_month,
    c.months_since_first,
    c.cohort_customers,
    c.active_customers,
    c.customer_retention_pct,
    c.net_sales,
    c.revenue_retention_pct
from marts.cohort_retention as c
order by c.cohort_month, c.months_since_first;
