-- The published churn rates, the whole shop first, then by each cut.
select
    c.dimension_name,
    c.dimension_value,
    c.customers,
    c.churned_customers,
    c.churn_rate
from marts.churn_rates as c
order by c.dimension_name != 'all', c.dimension_name, c.dimension_value;
