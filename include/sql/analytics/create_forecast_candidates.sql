-- Empty candidate tables for the forecast backtest and the forecast (filled from Python).
drop table if exists candidate.forecast_backtest;
create table candidate.forecast_backtest (like marts.forecast_backtest including all);

drop table if exists candidate.revenue_forecast;
create table candidate.revenue_forecast (like marts.revenue_forecast including all);
