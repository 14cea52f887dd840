"""Daily net revenue forecast: three models compared on a rolling-origin backtest.

The models, simplest first:

- ``seasonal_naive``: each future day repeats the same weekday of the last observed week.
- ``baseline_regression``: OLS on a linear trend and day-of-week dummies.
- ``sarimax``: SARIMA(1,1,1)(0,1,1)7, weekly seasonality handled by the model.

Both fitted models add yearly Fourier terms once the training data covers a full year:
with less, a yearly shape cannot be told apart from trend. Over a 90-day horizon the
yearly swing is most of what there is to forecast: on two generated years, without these
terms in the backtest folds seasonal naive won; with them SARIMAX won from every origin tried.

Each model forecasts ``h`` days from several origins ("folds"); the last fold ends at
``as_of``. The model with the lowest mean MASE is chosen, then every model is refitted
on all the data and forecasts ``horizon_days`` days with 80% and 95% intervals.

Thresholds (in days of history, counted from the first day with a row to ``as_of``):

- fewer than ``MIN_DAYS`` (14): no forecast at all, two weeks being the least that shows a
  weekly pattern twice;
- fewer than ``SEASONAL_MIN_DAYS`` (56, eight weeks): no seasonal SARIMAX, whose seasonal
  MA term needs several weekly differences; a non-seasonal ARIMA(1,1,0) named ``arima``
  stands in;
- every backtest fold trains on at least ``BACKTEST_MIN_TRAIN_DAYS`` (56) days, the same
  floor for all models so they compete on identical folds, and tests at least a week
  (or the whole horizon when shorter), so each weekday is scored. The backtest horizon is
  ``horizon_days`` capped to fit ``folds`` such folds; when even one-week folds do not fit,
  fewer folds are used, and with none there is no backtest and ``seasonal_naive`` is chosen.

Metrics: MAE; sMAPE as a fraction between 0 and 2 (0/0 counted as 0); MASE scaled by the
in-sample MAE of the weekly seasonal naive (m=7) on each fold's training data.
"""

from __future__ import annotations

import datetime
import math
import operator
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

MIN_DAYS = 14
SEASONAL_MIN_DAYS = 56
BACKTEST_MIN_TRAIN_DAYS = 56
BACKTEST_MIN_TEST_DAYS = 7
YEARLY_TERMS_MIN_DAYS = 365
YEARLY_FOURIER_ORDER = 3
MAX_HORIZON_DAYS = 730
SEASON = 7
SARIMAX_MAXITER = 200

SARIMAX, ARIMA, BASELINE_REGRESSION, SEASONAL_NAIVE = "sarimax", "arima", "baseline_regression", "seasonal_naive"
# Ties on MASE go to the simpler model.
SIMPLICITY_RANK = {SEASONAL_NAIVE: 0, BASELINE_REGRESSION: 1, ARIMA: 2, SARIMAX: 3}
INTERVAL_COLUMNS = ("lower_80", "upper_80", "lower_95", "upper_95")
# A forecast whose point values fall below zero on this share of its days (clipped to 0) has collapsed.
COLLAPSED_SHARE = 0.1


@dataclass(frozen=True)
class ForecastOutcome:
    status: str  # "ok", "simplified" (a simpler model than planned was used) or "skipped"
    reason: str  # one line: what was done and why
    chosen_model: str | None
    backtest: list[dict]  # model, folds, horizon_days, mae, smape, mase (None if undefined), is_chosen
    forecast: list[dict]  # model, period_start, forecast, lower_80, upper_80, lower_95, upper_95, is_chosen


class ModelFitError(Exception):
    """A model could not be fitted or gave unusable numbers; it is dropped from the run."""


# --- metrics -------------------------------------------------------------------------------------


def mae(actual: Sequence[float], forecast: Sequence[float]) -> float:
    """Mean absolute error."""
    actual_values, forecast_values = _pair(actual, forecast)
    return float(np.mean(np.abs(forecast_values - actual_values)))


def smape(actual: Sequence[float], forecast: Sequence[float]) -> float:
    """Symmetric MAPE as a fraction in [0, 2]: mean of 2|F-A| / (|A|+|F|), a day with A = F = 0 counting 0."""
    actual_values, forecast_values = _pair(actual, forecast)
    denominator = np.abs(actual_values) + np.abs(forecast_values)
    ratio = np.divide(
        2 * np.abs(forecast_values - actual_values),
        denominator,
        out=np.zeros_like(denominator),
        where=denominator > 0,
    )
    return float(np.mean(ratio))


def mase(actual: Sequence[float], forecast: Sequence[float], training: Sequence[float], season: int = SEASON) -> float:
    """MAE scaled by the in-sample MAE of the one-step seasonal naive on ``training``.

    NaN when that scale is 0 or undefined (training no longer than one season, or periodic with no change).
    """
    history = np.asarray(training, dtype=float)
    if history.size <= season:
        return math.nan
    scale = float(np.mean(np.abs(history[season:] - history[:-season])))
    if scale == 0:
        return math.nan
    return mae(actual, forecast) / scale


def _pair(actual: Sequence[float], forecast: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    actual_values, forecast_values = np.asarray(actual, dtype=float), np.asarray(forecast, dtype=float)
    if actual_values.shape != forecast_values.shape or actual_values.size == 0:
        raise ValueError(f"need two non-empty arrays of one length, got {actual_values.size}, {forecast_values.size}")
    return actual_values, forecast_values


# --- models --------------------------------------------------------------------------------------
# Each takes training data (float Series on a daily DatetimeIndex with freq "D") and a horizon,
# and returns a frame indexed by the future days: forecast and the four interval bounds.


def _yearly_terms(days: int) -> list:
    from statsmodels.tsa.deterministic import CalendarFourier

    return [CalendarFourier("YE", YEARLY_FOURIER_ORDER)] if days >= YEARLY_TERMS_MIN_DAYS else []


def _future_index(train: pd.Series, horizon: int) -> pd.DatetimeIndex:
    return pd.date_range(train.index[-1] + pd.Timedelta(days=1), periods=horizon, freq="D")


def _fit_state_space(train: pd.Series, horizon: int, *, seasonal: bool) -> pd.DataFrame:
    from statsmodels.tsa.deterministic import DeterministicProcess
    from statsmodels.tsa.statespace.sarimax import SARIMAX as SarimaxModel

    # Fitting on a unit scale keeps the optimiser's steps sensible whatever the currency amounts.
    scale = float(train.std()) or 1.0
    yearly = _yearly_terms(len(train)) if seasonal else []
    exog = exog_future = None
    if yearly:
        process = DeterministicProcess(train.index, constant=False, order=0, additional_terms=yearly)
        exog, exog_future = process.in_sample().to_numpy(), process.out_of_sample(horizon).to_numpy()
    model = SarimaxModel(
        train.to_numpy() / scale,
        exog=exog,
        order=(1, 1, 1) if seasonal else (1, 1, 0),
        seasonal_order=(0, 1, 1, SEASON) if seasonal else (0, 0, 0, 0),
        simple_differencing=False,
        concentrate_scale=True,
    )
    result = model.fit(disp=False, maxiter=SARIMAX_MAXITER)
    if not result.mle_retvals.get("converged", True):
        raise ModelFitError(f"did not converge in {SARIMAX_MAXITER} iterations")
    prediction = result.get_forecast(steps=horizon, exog=exog_future)
    bounds_80, bounds_95 = prediction.conf_int(alpha=0.2), prediction.conf_int(alpha=0.05)
    frame = pd.DataFrame(
        {
            "forecast": prediction.predicted_mean,
            "lower_80": bounds_80[:, 0],
            "upper_80": bounds_80[:, 1],
            "lower_95": bounds_95[:, 0],
            "upper_95": bounds_95[:, 1],
        },
        index=_future_index(train, horizon),
    )
    return frame * scale


def _fit_sarimax(train: pd.Series, horizon: int) -> pd.DataFrame:
    return _fit_state_space(train, horizon, seasonal=True)


def _fit_arima(train: pd.Series, horizon: int) -> pd.DataFrame:
    return _fit_state_space(train, horizon, seasonal=False)


def _fit_baseline_regression(train: pd.Series, horizon: int) -> pd.DataFrame:
    import statsmodels.api as sm
    from statsmodels.tsa.deterministic import DeterministicProcess

    process = DeterministicProcess(
        train.index, constant=True, order=1, seasonal=True, period=SEASON, additional_terms=_yearly_terms(len(train))
    )
    result = sm.OLS(train.to_numpy(), process.in_sample().to_numpy()).fit()
    prediction = result.get_prediction(process.out_of_sample(horizon).to_numpy())
    frame_80, frame_95 = prediction.summary_frame(alpha=0.2), prediction.summary_frame(alpha=0.05)
    return pd.DataFrame(
        {
            "forecast": frame_80["mean"].to_numpy(),
            "lower_80": frame_80["obs_ci_lower"].to_numpy(),
            "upper_80": frame_80["obs_ci_upper"].to_numpy(),
            "lower_95": frame_95["obs_ci_lower"].to_numpy(),
            "upper_95": frame_95["obs_ci_upper"].to_numpy(),
        },
        index=_future_index(train, horizon),
    )


def _fit_seasonal_naive(train: pd.Series, horizon: int) -> pd.DataFrame:
    from scipy.stats import norm

    values = train.to_numpy()
    if values.size < 2 * SEASON:
        raise ModelFitError(f"needs {2 * SEASON} days, got {values.size}")
    steps = np.arange(1, horizon + 1)
    last_week = values[-SEASON:]
    point = last_week[(steps - 1) % SEASON]
    # Hyndman & Athanasopoulos: sigma_h = sigma * sqrt(k), k = whole seasons ahead.
    sigma = float(np.std(values[SEASON:] - values[:-SEASON], ddof=1))
    spread = sigma * np.sqrt((steps - 1) // SEASON + 1)
    z_80, z_95 = norm.ppf(0.9), norm.ppf(0.975)
    return pd.DataFrame(
        {
            "forecast": point,
            "lower_80": point - z_80 * spread,
            "upper_80": point + z_80 * spread,
            "lower_95": point - z_95 * spread,
            "upper_95": point + z_95 * spread,
        },
        index=_future_index(train, horizon),
    )


MODEL_FITTERS: dict[str, Callable[[pd.Series, int], pd.DataFrame]] = {
    SEASONAL_NAIVE: _fit_seasonal_naive,
    BASELINE_REGRESSION: _fit_baseline_regression,
    ARIMA: _fit_arima,
    SARIMAX: _fit_sarimax,
}


def _fit(model: str, train: pd.Series, horizon: int) -> pd.DataFrame:
    """Fit one model quietly; any failure (exception, non-convergence, non-finite output) becomes ModelFitError."""
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            frame = MODEL_FITTERS[model](train, horizon)
    except ModelFitError:
        raise
    except Exception as exc:  # statsmodels, numpy and scipy raise many types; each only drops the model
        message = str(exc).strip().splitlines()[0][:120] if str(exc).strip() else ""
        raise ModelFitError(f"{type(exc).__name__}: {message}".rstrip(": ")) from exc
    if not np.isfinite(frame.to_numpy()).all():
        raise ModelFitError("gave non-finite forecasts")
    return frame


# --- the run -------------------------------------------------------------------------------------


def _days(count: int) -> str:
    return f"{count} day" if count == 1 else f"{count} days"


def _prepare(daily: pd.Series | None, as_of: datetime.date) -> tuple[pd.Series, int]:
    """Daily series on a gap-free DatetimeIndex from its first to its last day up to as_of; and unusable values."""
    end = pd.Timestamp(as_of).normalize()
    if daily is None or len(daily) == 0:
        return pd.Series(dtype=float, index=pd.DatetimeIndex([], freq="D")), 0
    index = pd.DatetimeIndex(pd.to_datetime(pd.Index(daily.index), errors="coerce"))
    if index.tz is not None:
        index = index.tz_localize(None)
    values = pd.to_numeric(pd.Series(np.asarray(daily), index=index.normalize()), errors="coerce")
    values = values[values.index.notna() & (values.index <= end)]
    unusable = int((~np.isfinite(values.to_numpy(dtype=float))).sum())
    values = values.where(np.isfinite(values), 0.0).astype(float)
    if values.empty:
        return pd.Series(dtype=float, index=pd.DatetimeIndex([], freq="D")), unusable
    # Duplicate days add up; a missing day inside the series had no revenue. The series ends on its
    # last day, never padded with zeros up to as_of: days not published yet are unknown, not zero.
    totals = values.groupby(level=0).sum()
    full_index = pd.date_range(totals.index.min(), totals.index.max(), freq="D")
    return totals.reindex(full_index, fill_value=0.0), unusable


def _fold_plan(days: int, horizon_days: int, folds: int) -> tuple[int, int]:
    """(folds, test days per fold) that fit ``days`` of history; (0, 0) when not even one fold fits."""
    usable = days - BACKTEST_MIN_TRAIN_DAYS
    shortest_test = min(horizon_days, BACKTEST_MIN_TEST_DAYS)
    fold_count = min(folds, usable // shortest_test) if usable > 0 else 0
    if fold_count < 1:
        return 0, 0
    return fold_count, min(horizon_days, usable // fold_count)


def forecast_net_revenue(
    daily: pd.Series,
    *,
    as_of: datetime.date,
    horizon_days: int = 90,
    folds: int = 4,
    progress: Callable[[str], None] = lambda _: None,
) -> ForecastOutcome:
    """Backtest the models on daily net revenue up to ``as_of``, choose one, forecast ``horizon_days`` ahead.

    Raises ValueError only for caller errors (horizon outside 1..730, folds < 1); data too short or
    models that fail give an outcome whose status and reason say so.
    """
    horizon_days, folds = operator.index(horizon_days), operator.index(folds)  # TypeError for 7.5 days
    if not 1 <= horizon_days <= MAX_HORIZON_DAYS:
        raise ValueError(f"horizon_days must be between 1 and {MAX_HORIZON_DAYS}, got {horizon_days}")
    if folds < 1:
        raise ValueError(f"folds must be at least 1, got {folds}")

    series, unusable = _prepare(daily, as_of)
    days = len(series)
    if days < MIN_DAYS:
        return _skipped(f"forecast skipped: {_days(days)} of net revenue, at least {MIN_DAYS} needed")
    if not series.any():
        return _skipped(f"forecast skipped: net revenue is 0 on all {days} days")

    notes: list[str] = []
    simplified = False
    last_day = series.index[-1].date()
    if last_day < as_of:
        simplified = True
        starts = last_day + datetime.timedelta(days=1)
        notes.append(
            f"net revenue known through {last_day}, {_days((as_of - last_day).days)} before the as-of date"
            f" {as_of}: those days are not counted as zero, the forecast starts on {starts}"
        )
    if unusable:
        notes.append(f"{unusable} non-numeric value(s) counted as 0")
    if days >= SEASONAL_MIN_DAYS:
        models = [SEASONAL_NAIVE, BASELINE_REGRESSION, SARIMAX]
    else:
        models = [SEASONAL_NAIVE, BASELINE_REGRESSION, ARIMA]
        simplified = True
        notes.append(
            f"{_days(days)} of history, under the {SEASONAL_MIN_DAYS} the weekly seasonal sarimax needs: "
            "non-seasonal ARIMA(1,1,0) 'arima' used instead"
        )

    fold_count, test_days = _fold_plan(days, horizon_days, folds)
    dropped: dict[str, str] = {}
    backtest_rows: list[dict] = []
    if fold_count == 0:
        simplified = True
        notes.append(
            f"no backtest: {_days(days)} leave no fold with {BACKTEST_MIN_TRAIN_DAYS} days to train "
            f"and {_days(min(horizon_days, BACKTEST_MIN_TEST_DAYS))} to test"
        )
        ranking = [SEASONAL_NAIVE] + [model for model in models if model != SEASONAL_NAIVE]
    else:
        if fold_count < folds:
            simplified = True
            notes.append(f"{fold_count} backtest folds instead of {folds}: history too short for more")
        scores = _backtest(series, models, fold_count, test_days, dropped, progress)
        backtest_rows = [
            {
                "model": model,
                "folds": fold_count,
                "horizon_days": test_days,
                "mae": float(np.mean([fold["mae"] for fold in folds_scores])),
                "smape": float(np.mean([fold["smape"] for fold in folds_scores])),
                "mase": _mean_or_none([fold["mase"] for fold in folds_scores]),
                "is_chosen": False,
            }
            for model, folds_scores in scores.items()
            if model not in dropped
        ]
        ranking = [row["model"] for row in sorted(backtest_rows, key=_ranking_key)]

    forecasts: dict[str, pd.DataFrame] = {}
    for model in [model for model in models if model not in dropped]:
        started = time.perf_counter()
        try:
            forecasts[model] = _fit(model, series, horizon_days)
            progress(f"final fit {model} on {_days(days)}: ok ({time.perf_counter() - started:.1f} s)")
        except ModelFitError as exc:
            dropped[model] = f"final fit: {exc}"
            progress(f"final fit {model} on {_days(days)}: dropped, {exc}")

    collapsed = {model: why for model, frame in forecasts.items() if (why := collapse_reason(frame))}
    usable = [model for model in ranking if model in forecasts and model not in collapsed]
    chosen = next(iter(usable), None) or next((model for model in ranking if model in forecasts), None)
    if collapsed:
        notes.append("; ".join(f"{model} collapsed ({why})" for model, why in collapsed.items()))
        simplified = simplified or chosen in collapsed
    if dropped:
        notes.append("; ".join(f"{model} dropped ({why})" for model, why in dropped.items()))
        simplified = simplified or SARIMAX in dropped
    if chosen is None:
        return _skipped(f"forecast skipped: no model could be fitted; {'; '.join(notes)}")

    summary = _choice_summary(
        chosen, [m for m in ranking if m not in collapsed or m == chosen], backtest_rows, fold_count, test_days
    )
    summary += f"; {horizon_days}-day forecast from {(series.index[-1] + pd.Timedelta(days=1)).date()}"
    status = "simplified" if simplified else "ok"
    for row in backtest_rows:
        row["is_chosen"] = row["model"] == chosen
    return ForecastOutcome(
        status=status,
        reason=f"forecast {status}: " + "; ".join([summary, *notes]),
        chosen_model=chosen,
        backtest=backtest_rows,
        forecast=[
            row
            for model, frame in forecasts.items()
            for row in _forecast_rows(model, frame, model == chosen, collapsed.get(model))
        ],
    )


def _backtest(
    series: pd.Series,
    models: list[str],
    fold_count: int,
    test_days: int,
    dropped: dict[str, str],
    progress: Callable[[str], None],
) -> dict[str, list[dict]]:
    """Per model, one score dict per fold; a model failing in any fold lands in ``dropped``."""
    scores: dict[str, list[dict]] = {model: [] for model in models}
    days = len(series)
    for fold in range(fold_count):
        origin = days - (fold_count - fold) * test_days
        train, test = series.iloc[:origin], series.iloc[origin : origin + test_days]
        for model in models:
            if model in dropped:
                continue
            started = time.perf_counter()
            label = f"backtest fold {fold + 1}/{fold_count} {model} (train {_days(origin)}, test {_days(test_days)})"
            try:
                predicted = _fit(model, train, test_days)["forecast"].to_numpy()
            except ModelFitError as exc:
                dropped[model] = f"fold {fold + 1}: {exc}"
                progress(f"{label}: dropped, {exc}")
                continue
            score = {
                "mae": mae(test, predicted),
                "smape": smape(test, predicted),
                "mase": mase(test, predicted, train),
            }
            scores[model].append(score)
            progress(f"{label}: MASE {score['mase']:.3f} ({time.perf_counter() - started:.1f} s)")
    return scores


def _mean_or_none(values: list[float]) -> float | None:
    """The mean, or None when any value is undefined (MASE on a training history that never changes week to week)."""
    return float(np.mean(values)) if all(math.isfinite(value) for value in values) else None


def _ranking_key(row: dict) -> tuple[float, float, int]:
    # Without a MASE, MAE decides.
    return (math.inf if row["mase"] is None else row["mase"]), row["mae"], SIMPLICITY_RANK[row["model"]]


def _choice_summary(chosen: str, ranking: list[str], rows: list[dict], fold_count: int, test_days: int) -> str:
    if not rows:
        return f"{chosen} chosen as the simplest model, without a backtest"
    by_model = {row["model"]: row for row in rows}
    metric = "MASE" if by_model[chosen]["mase"] is not None else "MAE"
    others = ", ".join(f"{model} {_score(by_model[model], metric)}" for model in ranking if model != chosen)
    fallback = f" ({ranking[0]}, best in the backtest, failed its final fit)" if ranking[0] != chosen else ""
    return (
        f"{chosen} chosen{fallback}, mean {metric} {_score(by_model[chosen], metric)} over {fold_count} backtest "
        f"folds of {_days(test_days)}" + (f" (others: {others})" if others else "")
    )


def _score(row: dict, metric: str) -> str:
    value = row[metric.lower()]
    return "undefined" if value is None else f"{value:.3f}"


def collapse_reason(frame: pd.DataFrame) -> str | None:
    """Why a model's forecast is not usable (clipped to zero on many days, or zero throughout); None if it is."""
    point = frame["forecast"].to_numpy(dtype=float)
    below = int((point < 0).sum())
    if below and below >= COLLAPSED_SHARE * len(point):
        return f"point forecast below zero on {below} of {_days(len(point))}, clipped to 0"
    if not (point > 0).any():
        return f"forecast 0 on all {_days(len(point))}"
    return None


def _forecast_rows(model: str, frame: pd.DataFrame, is_chosen: bool, collapsed: str | None = None) -> list[dict]:
    # Revenue cannot be negative: clipping every column keeps the bounds ordered.
    clipped = frame.clip(lower=0.0)
    return [
        {
            "model": model,
            "period_start": day.date(),
            "forecast": float(values.forecast),
            **{column: float(getattr(values, column)) for column in INTERVAL_COLUMNS},
            "is_chosen": is_chosen,
            "is_collapsed": collapsed is not None,
            "collapse_reason": collapsed,
        }
        for day, values in zip(clipped.index, clipped.itertuples(index=False), strict=True)
    ]


def _skipped(reason: str) -> ForecastOutcome:
    return ForecastOutcome(status="skipped", reason=reason, chosen_model=None, backtest=[], forecast=[])
