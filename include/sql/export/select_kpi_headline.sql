-- The last two published months of the whole shop's headline KPIs.
select
    m.period_start,
    m.net_sales,
    m.gross_margin_pct,
    m.orders,
    m.average_order_value,
    m.return_rate_value,
    m.on_time_delivery_pct,
    m.decline_rate_attempts
from marts.kpi_monthly as m
where m.dimension_name = 'all'
order by m.period_start desc
limit 2;
