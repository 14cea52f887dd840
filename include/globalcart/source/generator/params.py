"""What to generate, and the limits a history must stay within."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np

from globalcart.errors import GlobalCartError

MAX_ORDER_LINES = 50_000_000
MAX_DAYS = 3650
EARLIEST_START = dt.date(1990, 1, 1)
LATEST_END = dt.date(2200, 1, 1)


@dataclass(frozen=True, kw_only=True)
class GenerationParams:
    """What to generate: about ``order_lines`` lines over ``days`` days ending before ``end_date``."""

    order_lines: int = 200_000
    days: int = 730
    end_date: dt.date
    seed: int = 42

    def as_dict(self) -> dict[str, Any]:
        return {
            "order_lines": self.order_lines,
            "days": self.days,
            "end_date": self.end_date.isoformat(),
            "start_date": (self.end_date - dt.timedelta(days=self.days)).isoformat(),
            "seed": self.seed,
        }


def validate(params: GenerationParams) -> None:
    """Raise GlobalCartError with a one-line message if the parameters cannot make a history."""

    def whole(value: object) -> bool:
        return isinstance(value, int | np.integer) and not isinstance(value, bool)

    if not whole(params.order_lines) or params.order_lines <= 0:
        raise GlobalCartError(f"order_lines must be a positive whole number, got {params.order_lines!r}")
    if params.order_lines > MAX_ORDER_LINES:
        raise GlobalCartError(f"order_lines must be at most {MAX_ORDER_LINES:,}, got {params.order_lines:,}")
    if not whole(params.days) or not 1 <= params.days <= MAX_DAYS:
        raise GlobalCartError(f"days must be a whole number from 1 to {MAX_DAYS}, got {params.days!r}")
    if not whole(params.seed) or params.seed < 0:
        raise GlobalCartError(f"seed must be a non-negative whole number, got {params.seed!r}")
    end = params.end_date
    if not isinstance(end, dt.date) or isinstance(end, dt.datetime):
        raise GlobalCartError(f"end_date must be a date (not a datetime), got {end!r}")
    if end > LATEST_END or end - dt.timedelta(days=params.days) < EARLIEST_START:
        raise GlobalCartError(
            f"the history must lie between {EARLIEST_START} and {LATEST_END}, got {params.days} days up to {end}"
        )
