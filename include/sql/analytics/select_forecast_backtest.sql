select
    b.model,
    b.folds,
    b.horizon_days,
    b.mae,
    b.smape,
    b.mase,
    b.is_chosen
from marts.forecast_backtest as b
order by b.mase nulls last, b.model;
