"""The net revenue forecast on seeded synthetic series: backtest, choice, intervals and bad input."""

from __future__ import annotations

import datetime
import math

import numpy as np
import pandas as pd
import pytest

from globalcart.analytics import forecast
from globalcart.analytics.forecast import ForecastOutcome, forecast_net_revenue, mae, mase, smape

START = datetime.date(2023, 1, 1)
WEEKDAY_EFFECT = np.array([0.0, -80.0, -60.0, -20.0, 60.0, 220.0, 150.0])  # Monday .. Sunday


def synthetic_revenue(days: int, *, seed: int = 0, noise: float = 150.0, yearly: float = 100.0) -> pd.Series:
    """Trend + weekly + yearly seasonality + Gaussian noise, indexed by datetime.date.

    Noise is large next to the yearly swing, so a week copied forward (seasonal naive) carries that
    week's noise into every forecast day, while the fitted models average it out.
    """
    index = pd.date_range(START, periods=days, freq="D")
    step = np.arange(days)
    values = (
        5000.0
        + 2.0 * step
        + WEEKDAY_EFFECT[index.day_of_week]
        + yearly * np.sin(2 * np.pi * step / 365.25)
        + np.random.default_rng(seed).normal(0.0, noise, days)
    )
    return pd.Series(values, index=index.date)


@pytest.fixture(scope="module")
def two_year_outcome() -> tuple[ForecastOutcome, list[str]]:
    series = synthetic_revenue(730)
    lines: list[str] = []
    outcome = forecast_net_revenue(series, as_of=series.index[-1], horizon_days=90, folds=4, progress=lines.append)
    return outcome, lines


@pytest.mark.slow
def test_two_years_backtest_compares_three_models(two_year_outcome):
    outcome, _ = two_year_outcome
    assert outcome.status == "ok", outcome.reason
    rows = {row["model"]: row for row in outcome.backtest}
    assert set(rows) == {"sarimax", "baseline_regression", "seasonal_naive"}
    for row in rows.values():
        assert row["folds"] == 4
        assert row["horizon_days"] == 90
        for metric in ("mae", "smape", "mase"):
            assert math.isfinite(row[metric]) and row[metric] > 0, (row["model"], metric)
    chosen = [row for row in outcome.backtest if row["is_chosen"]]
    assert [row["model"] for row in chosen] == [outcome.chosen_model]
    assert chosen[0]["mase"] == min(row["mase"] for row in outcome.backtest)
    assert chosen[0]["mase"] < rows["seasonal_naive"]["mase"]
    assert outcome.chosen_model in outcome.reason


@pytest.mark.slow
def test_two_years_forecast_rows_and_intervals(two_year_outcome):
    outcome, _ = two_year_outcome
    as_of = START + datetime.timedelta(days=729)
    expected_days = [as_of + datetime.timedelta(days=step) for step in range(1, 91)]
    frame = pd.DataFrame(outcome.forecast)
    assert set(frame["model"]) == {"sarimax", "baseline_regression", "seasonal_naive"}
    for model, rows in frame.groupby("model"):
        assert list(rows["period_start"]) == expected_days, model
        assert rows["is_chosen"].all() == (model == outcome.chosen_model)
        ordered = rows[["lower_95", "lower_80", "forecast", "upper_80", "upper_95"]].to_numpy()
        assert (np.diff(ordered, axis=1) >= 0).all(), model
        assert (ordered >= 0).all(), model
    assert all(isinstance(day, datetime.date) for day in frame["period_start"])


def test_progress_reports_each_fold_and_model(two_year_outcome):
    _, lines = two_year_outcome
    assert sum(line.startswith("backtest fold") for line in lines) == 4 * 3
    assert sum(line.startswith("final fit") for line in lines) == 3


def test_metrics_match_hand_computed_values():
    actual, predicted = [10.0, 0.0, 5.0], [12.0, 0.0, 2.0]
    assert mae(actual, predicted) == pytest.approx((2 + 0 + 3) / 3)
    # 2*2/22, the 0/0 day counts 0, 2*3/7
    assert smape(actual, predicted) == pytest.approx((4 / 22 + 0 + 6 / 7) / 3)
    training = [1.0, 2, 3, 4, 5, 6, 7, 3, 2, 3]  # seasonal differences at lag 7: 2, 0, 0
    assert mase(actual, predicted, training) == pytest.approx((5 / 3) / (2 / 3))
    assert math.isnan(mase(actual, predicted, [4.0] * 10))  # a flat history gives no scale
    with pytest.raises(ValueError):
        mae([1.0], [1.0, 2.0])


@pytest.mark.parametrize(
    ("daily", "day_count"),
    [(pd.Series(dtype=float), "0 days"), (pd.Series([1234.5], index=[START]), "1 day")],
)
def test_empty_or_single_day_is_skipped(daily, day_count):
    outcome = forecast_net_revenue(daily, as_of=START)
    assert outcome.status == "skipped"
    assert outcome.chosen_model is None
    assert outcome.backtest == [] and outcome.forecast == []
    assert f"{day_count} of net revenue" in outcome.reason


def test_all_zero_revenue_is_skipped():
    daily = pd.Series(0.0, index=pd.date_range(START, periods=40, freq="D").date)
    outcome = forecast_net_revenue(daily, as_of=daily.index[-1])
    assert outcome.status == "skipped"
    assert "0 on all 40 days" in outcome.reason


def test_thirty_days_forecast_without_seasonal_sarimax():
    daily = synthetic_revenue(30)
    outcome = forecast_net_revenue(daily, as_of=daily.index[-1], horizon_days=14)
    assert outcome.status == "simplified"
    assert "sarimax" in outcome.reason and "56" in outcome.reason  # says why the seasonal model is out
    assert "no backtest" in outcome.reason
    assert outcome.backtest == []
    assert outcome.chosen_model == "seasonal_naive"
    models = {row["model"] for row in outcome.forecast}
    assert "sarimax" not in models
    assert "seasonal_naive" in models
    assert len([row for row in outcome.forecast if row["is_chosen"]]) == 14


def test_missing_days_count_as_zero_and_later_days_are_ignored():
    full = synthetic_revenue(100, seed=3)
    missing_days = full.index[[20, 21, 55, 80]]
    with_gaps = full.drop(missing_days)
    as_of = full.index[89]
    with_gaps.loc[as_of + datetime.timedelta(days=3)] = 1e9  # after as_of: must not count
    zero_filled = full.copy()
    zero_filled.loc[missing_days] = 0.0

    from_gaps = forecast_net_revenue(with_gaps, as_of=as_of, horizon_days=14, folds=2)
    from_zeros = forecast_net_revenue(zero_filled.iloc[:90], as_of=as_of, horizon_days=14, folds=2)
    assert from_gaps.status == "ok", from_gaps.reason
    assert from_gaps == from_zeros


def test_failing_model_is_dropped_and_said(monkeypatch):
    def broken(train: pd.Series, horizon: int) -> pd.DataFrame:
        raise np.linalg.LinAlgError("Schur decomposition solver error")

    monkeypatch.setitem(forecast.MODEL_FITTERS, "sarimax", broken)
    daily = synthetic_revenue(120, seed=5)
    outcome = forecast_net_revenue(daily, as_of=daily.index[-1], horizon_days=14, folds=2)
    assert outcome.status == "simplified"
    assert "sarimax dropped" in outcome.reason and "LinAlgError" in outcome.reason
    assert {row["model"] for row in outcome.backtest} == {"baseline_regression", "seasonal_naive"}
    assert "sarimax" not in {row["model"] for row in outcome.forecast}


@pytest.mark.parametrize("horizon", [0, -5, 731])
def test_horizon_outside_range_is_a_caller_error(horizon):
    with pytest.raises(ValueError, match="horizon_days"):
        forecast_net_revenue(synthetic_revenue(60), as_of=START + datetime.timedelta(days=59), horizon_days=horizon)


def test_a_series_that_stops_before_as_of_is_not_padded_with_zero_days():
    daily = synthetic_revenue(120, seed=7)
    last_day = daily.index[-1]
    as_of = last_day + datetime.timedelta(days=10)

    stale = forecast_net_revenue(daily, as_of=as_of, horizon_days=14, folds=2)
    current = forecast_net_revenue(daily, as_of=last_day, horizon_days=14, folds=2)

    assert stale.status == "simplified"
    assert f"known through {last_day}" in stale.reason and "not counted as zero" in stale.reason
    assert stale.backtest == current.backtest
    assert stale.forecast == current.forecast
    assert min(row["period_start"] for row in stale.forecast) == last_day + datetime.timedelta(days=1)


def winding_down(days: int = 150) -> pd.Series:
    """A shop whose sales fell steadily for four months, then held at a low level."""
    index = pd.date_range(START, periods=days, freq="D")
    level = np.concatenate([np.linspace(3000, 400, days - 30), np.full(30, 400.0)])
    weekly = 1 + 0.2 * np.sin(2 * np.pi * np.arange(days) / 7)
    noise = np.random.default_rng(1).normal(0, 30, days)
    return pd.Series(level * weekly + noise, index=index).clip(lower=0)


def test_a_forecast_clipped_to_zero_is_marked_collapsed_and_not_chosen():
    daily = winding_down()
    outcome = forecast_net_revenue(daily, as_of=daily.index[-1].date(), horizon_days=90, folds=2)

    frame = pd.DataFrame(outcome.forecast)
    by_model = frame.groupby("model").agg(collapsed=("is_collapsed", "all"), reason=("collapse_reason", "first"))
    # The trend line crosses zero within the horizon.
    assert by_model.loc["baseline_regression", "collapsed"]
    assert "below zero on" in by_model.loc["baseline_regression", "reason"]
    assert "baseline_regression collapsed" in outcome.reason
    assert outcome.chosen_model != "baseline_regression"
    assert not by_model.loc[outcome.chosen_model, "collapsed"]
    assert frame.loc[~frame["is_collapsed"], "collapse_reason"].isna().all()


def test_the_best_model_is_passed_over_when_its_forecast_collapsed(monkeypatch):
    daily = synthetic_revenue(200, seed=2)
    fit_sarimax = forecast.MODEL_FITTERS["sarimax"]

    def collapsing(train: pd.Series, horizon: int) -> pd.DataFrame:
        frame = fit_sarimax(train, horizon)
        # As good as sarimax in the backtest; its final forecast, on all the days, sinks below zero.
        return frame - 2 * frame.abs().max().max() if len(train) == len(daily) else frame

    best = forecast_net_revenue(daily, as_of=daily.index[-1], horizon_days=14, folds=2)
    assert best.chosen_model == "sarimax", best.reason
    monkeypatch.setitem(forecast.MODEL_FITTERS, "sarimax", collapsing)
    outcome = forecast_net_revenue(daily, as_of=daily.index[-1], horizon_days=14, folds=2)

    assert outcome.chosen_model not in (None, "sarimax")
    assert outcome.status == "ok" and "sarimax collapsed (point forecast below zero on 14 of 14 days" in outcome.reason
    sarimax_rows = [row for row in outcome.forecast if row["model"] == "sarimax"]
    assert sarimax_rows and all(row["is_collapsed"] and not row["is_chosen"] for row in sarimax_rows)
    assert all(row["forecast"] == 0 for row in sarimax_rows)
