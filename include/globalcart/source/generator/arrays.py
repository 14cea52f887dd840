"""Vectorised draws and group arithmetic: one numpy call per column, never a Python loop over rows."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def choice(rng: np.random.Generator, weights: Sequence[float] | np.ndarray, size: int) -> np.ndarray:
    """Indices drawn with the given (unnormalised) weights."""
    cdf = np.cumsum(np.asarray(weights, dtype=np.float64))
    return np.minimum(np.searchsorted(cdf / cdf[-1], rng.random(size), side="right"), len(cdf) - 1)


def group_starts(counts: np.ndarray) -> np.ndarray:
    return np.cumsum(counts) - counts


def rank_in_group(counts: np.ndarray) -> np.ndarray:
    """0, 1, .. within each group, for groups of the given sizes laid out one after another."""
    return np.arange(int(counts.sum())) - np.repeat(group_starts(counts), counts)


def cumsum_in_groups(values: np.ndarray, counts: np.ndarray) -> np.ndarray:
    total = np.cumsum(values)
    before = np.concatenate([[0.0], total])[group_starts(counts)]
    return total - np.repeat(before, counts)


def round_div(numerator: np.ndarray, denominator: np.ndarray | int) -> np.ndarray:
    """Integer division of non-negative numbers, rounded half up (as round(numeric) does)."""
    return (2 * numerator + denominator) // (2 * np.asarray(denominator))


def pick_within(rng: np.random.Generator, table: np.ndarray, counts: np.ndarray, group: np.ndarray) -> np.ndarray:
    """For each element, a uniform pick among the first counts[group] entries of table[group]."""
    return table[group, (rng.random(len(group)) * counts[group]).astype(np.int64)]
