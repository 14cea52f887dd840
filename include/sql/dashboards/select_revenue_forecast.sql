-- The published forecast of the whole shop's daily net sales (the model the backtest
-- chose, unless its forecast collapsed), with its 80 and 95 per cent intervals.
select
    f.period_start,
    f.model,
    f.forecast,
    f.lower_80,
    f.upper_80,
    f.lower_95,
    f.upper_95
from marts.revenue_forecast as f
where f.is_chosen and not f.is_collapsed
order by f.period_start;
