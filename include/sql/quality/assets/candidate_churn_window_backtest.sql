-- The churn_window_backtest table this analytics run would publish.
select t.*
from candidate.churn_window_backtest as t
