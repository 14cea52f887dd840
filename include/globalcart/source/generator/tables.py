"""What the shop model hands out: each table of the shop as named columns of numpy arrays.

Values keep the model's own units (whole seconds since the Unix epoch, cents,
indices into a list of words), so a table can be checked in memory or encoded
for PostgreSQL without being converted row by row.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class BigInt:
    name: str
    values: np.ndarray
    null: np.ndarray | None = None  # True where the value is NULL


@dataclass(frozen=True)
class Integer:
    name: str
    values: np.ndarray


@dataclass(frozen=True)
class Boolean:
    name: str
    values: np.ndarray


@dataclass(frozen=True)
class Timestamp:
    """timestamptz, as Unix seconds."""

    name: str
    seconds: np.ndarray
    null: np.ndarray | None = None


@dataclass(frozen=True)
class Numeric:
    """numeric, as whole units of 10**-scale (cents by default)."""

    name: str
    units: np.ndarray
    scale: int = 2


@dataclass(frozen=True)
class Text:
    """text, as indices into a list of words."""

    name: str
    codes: np.ndarray
    words: Sequence[str]
    null: np.ndarray | None = None

    @classmethod
    def of(cls, name: str, values: Sequence[str]) -> Text:
        """One Python string per row (small tables only)."""
        return cls(name, np.arange(len(values)), values)


# A piece of glued text: a constant, one whole number per row, or one pick per row from a list of words.
Piece = str | np.ndarray | tuple[np.ndarray, Sequence[str]]


@dataclass(frozen=True)
class GluedText:
    """text glued, row by row, from pieces, e.g. an email address from names and an id."""

    name: str
    pieces: Sequence[Piece]


Column = BigInt | Integer | Boolean | Timestamp | Numeric | Text | GluedText


@dataclass(frozen=True)
class Table:
    name: str
    rows: int
    columns: tuple[Column, ...]

    def __getitem__(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"{self.name} has no column {name!r}")

    def values(self, name: str) -> np.ndarray:
        """A column's values in the model's units; text as Python strings, None for NULL (for checks)."""
        column = self[name]
        match column:
            case Text(codes=codes, words=words, null=null):
                strings = np.asarray([*words, None], dtype=object)
                return strings[codes if null is None else np.where(null, len(words), codes)]
            case GluedText(pieces=pieces):
                return np.asarray(["".join(_piece(p, row) for p in pieces) for row in range(self.rows)], dtype=object)
            case Numeric(units=values) | Timestamp(seconds=values) | BigInt(values=values):
                null = column.null if isinstance(column, BigInt | Timestamp) else None
                return values if null is None else np.where(null, None, values.astype(object))
            case Integer(values=values) | Boolean(values=values):
                return values
        raise TypeError(f"{self.name}.{name}: unknown column type {type(column).__name__}")


def _piece(piece: Piece, row: int) -> str:
    if isinstance(piece, str):
        return piece
    if isinstance(piece, np.ndarray):
        return str(piece[row])
    picks, words = piece
    return words[picks[row]]


# Where the model hands each table as soon as it is complete, so a load can stream it while the next is built.
Emit = Callable[[Table], None]
