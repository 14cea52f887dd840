-- Every model's published forecast beside the whole shop's published net sales of the same day: blank
-- until that day is published and closed (the newest published day may still be taking orders).
select
    f.model,
    f.is_chosen,
    f.is_collapsed,
    f.period_start,
    f.forecast,
    f.lower_80,
    f.upper_80,
    f.lower_95,
    f.upper_95,
    k.net_sales as actual_net_sales,
    k.net_sales - f.forecast as actual_minus_forecast,
    f.collapse_reason
from marts.revenue_forecast as f
left join marts.kpi_daily as k
    on
        f.period_start = k.period_start
        and k.grain = 'day'
        and k.dimension_name = 'all'
        and k.period_start < (
            select max(d.period_start) from marts.kpi_daily as d
            where d.grain = 'day' and d.dimension_name = 'all'
        )
order by f.is_chosen desc, f.model asc, f.period_start asc;
