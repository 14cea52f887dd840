-- Customer retention by cohort and month since the first order, for the heatmap.
select
    to_char(c.cohort_month, 'YYYY-MM') as cohort,
    c.months_since_first,
    c.cohort_customers,
    c.customer_retention_pct::float8,
    c.revenue_retention_pct::float8
from marts.cohort_retention as c
order by c.cohort_month, c.months_since_first;
