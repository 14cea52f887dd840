insert into candidate.revenue_forecast (
    model, period_start, forecast, lower_80, upper_80, lower_95, upper_95, is_chosen, is_collapsed, collapse_reason
)
values (
    %(model)s, %(period_start)s, %(forecast)s, %(lower_80)s, %(upper_80)s, %(lower_95)s, %(upper_95)s, %(is_chosen)s,
    %(is_collapsed)s, %(collapse_reason)s
);
