-- The churn window, judged by data: how often customers each window would have called
-- churned at earlier as-of dates ordered again later, and the window the repeat gaps suggest.
create table if not exists marts.churn_window_backtest (
    as_of date not null,
    churn_window_days integer not null,
    checked_as_of date not null,
    follow_up_days integer not null,
    customers integer not null,
    called_churned integer not null,
    came_back integer not null,
    came_back_share numeric,
    is_chosen_window boolean not null,
    primary key (churn_window_days, checked_as_of)
);

alter table marts.churn_evidence
add column if not exists suggested_window_days integer,
add column if not exists came_back_share numeric;

-- A model whose forecast collapsed (clipped to zero, or zero throughout) is marked, not shown as usable.
alter table marts.revenue_forecast
add column if not exists is_collapsed boolean not null default false,
add column if not exists collapse_reason text;
