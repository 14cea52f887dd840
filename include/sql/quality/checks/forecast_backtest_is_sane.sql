-- Backtest rows with a negative error or an impossible sMAPE, and a backtest
-- that does not choose exactly one model.
select
    b.model,
    b.mae,
    b.smape,
    b.mase,
    'error out of range' as problem
from batch as b
where b.mae < 0 or b.mase < 0 or b.smape not between 0 and 2
union all
select
    string_agg(b.model, ', ') filter (where b.is_chosen),
    null,
    null,
    null,
    count(*) filter (where b.is_chosen) || ' models chosen'
from batch as b
having count(*) > 0 and count(*) filter (where b.is_chosen) <> 1
