insert into candidate.forecast_backtest (model, folds, horizon_days, mae, smape, mase, is_chosen)
values (%(model)s, %(folds)s, %(horizon_days)s, %(mae)s, %(smape)s, %(mase)s, %(is_chosen)s);
