-- The forecast_backtest table this analytics run would publish.
select t.*
from candidate.forecast_backtest as t
