-- The chosen model's forecast, summed over the horizon.
select
    f.model,
    min(f.period_start) as first_day,
    max(f.period_start) as last_day,
    sum(f.forecast) as forecast
from marts.revenue_forecast as f
where f.is_chosen
group by f.model;
