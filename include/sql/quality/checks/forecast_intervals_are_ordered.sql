-- Forecast days whose intervals are out of order or below zero, and models
-- chosen in the forecast but not in the backtest (or the other way round).
select
    b.model,
    b.period_start,
    b.forecast,
    b.lower_95,
    b.lower_80,
    b.upper_80,
    b.upper_95
from batch as b
where not (
    0 <= b.lower_95 and b.lower_95 <= b.lower_80 and b.lower_80 <= b.forecast
    and b.forecast <= b.upper_80 and b.upper_80 <= b.upper_95
)
or b.is_chosen is distinct from coalesce(
    (
        select t.is_chosen from candidate.forecast_backtest as t
        where t.model = b.model
    ),
    b.is_chosen  -- a model without a backtest (too little history to backtest)
)
