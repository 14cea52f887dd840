"""The history's calendar: the days it covers, their demand, and draws of times and durations.

Times are whole seconds since the Unix epoch (int64).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from globalcart.source import world
from globalcart.source.generator.arrays import choice
from globalcart.source.generator.params import GenerationParams

DAY = 86_400
HOUR = 3_600
MINUTE = 60


@dataclass(frozen=True)
class Calendar:
    start: int  # Unix seconds of the first day's midnight (UTC)
    end: int  # Unix seconds of end_date's midnight: nothing happens at or after it
    days: int
    season: np.ndarray  # demand multiplier per day (weekly x yearly), mean 1
    clock: np.ndarray  # cumulative season at day boundaries: the time in which repeat gaps are drawn
    acquisition_cdf: np.ndarray  # where new customers' first orders fall, by day
    growth_progress: np.ndarray  # 0 -> 1 along the growth curve, per day: drives discount depth

    def day_of(self, seconds: np.ndarray) -> np.ndarray:
        return np.clip((seconds - self.start) // DAY, 0, self.days - 1)


def calendar(params: GenerationParams) -> Calendar:
    demand = world.DEMAND
    end = int(dt.datetime.combine(params.end_date, dt.time(), dt.UTC).timestamp())
    start = end - params.days * DAY
    epoch_days = np.arange(start // DAY, end // DAY, dtype=np.int64)
    dates = epoch_days.astype("datetime64[D]")
    weekday = (epoch_days + 3) % 7  # 1970-01-01 was a Thursday; Monday is 0
    day_of_year = (dates - dates.astype("datetime64[Y]")).astype(np.int64) + 1
    yearly = 1 + demand.yearly_amplitude * np.cos(2 * np.pi * (day_of_year - demand.yearly_peak_day) / 365.25)
    season = np.asarray(demand.weekly_profile)[weekday] * yearly
    season = season / season.mean()
    x = (np.arange(params.days) + 0.5) / params.days
    logistic = 1 / (1 + np.exp(-demand.growth_steepness * (x - demand.growth_midpoint)))
    # New customers arrive along a logistic curve: fast growth that flattens out.
    acquisition = np.cumsum((demand.growth_floor + (1 - demand.growth_floor) * logistic) * season)
    span = logistic[-1] - logistic[0]
    return Calendar(
        start=start,
        end=end,
        days=params.days,
        season=season,
        clock=np.concatenate([[0.0], np.cumsum(season)]),
        acquisition_cdf=acquisition / acquisition[-1],
        growth_progress=(logistic - logistic[0]) / span if span > 0 else np.zeros(params.days),
    )


def seconds(rng: np.random.Generator, low_days: float, high_days: float, size: int) -> np.ndarray:
    """Durations drawn uniformly between two numbers of days, in whole seconds."""
    return (rng.uniform(low_days, high_days, size) * DAY).astype(np.int64)


def time_of_day(rng: np.random.Generator, size: int) -> np.ndarray:
    return choice(rng, world.DEMAND.hourly_profile, size) * HOUR + rng.integers(0, HOUR, size)
