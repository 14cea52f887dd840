"""A table of the shop model as the bytes of ``COPY ... (FORMAT binary)``, assembled column by column."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import numpy as np

from globalcart.errors import GlobalCartError
from globalcart.source.generator.tables import (
    BigInt,
    Boolean,
    Column,
    GluedText,
    Integer,
    Numeric,
    Piece,
    Table,
    Text,
    Timestamp,
)

# A field's bytes as (data, lengths): data holds one value per row (or one for all rows) in its wire
# dtype; lengths, when given, says how many of its bytes each row really uses (the rest is dropped).
_Segment = tuple[np.ndarray, np.ndarray | None]
_Field = Callable[[int, int], list[_Segment]]

COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + bytes(8)  # signature, flags, no header extension
COPY_TRAILER = b"\xff\xff"
_PG_EPOCH_SECONDS = 946_684_800  # timestamptz travels as microseconds since 2000-01-01 UTC
_CHUNK_ROWS = 65_536


class BinaryRows:
    """One table's rows in PostgreSQL's binary COPY format.

    A chunk of rows is laid out as a numpy structured array with every field at a
    fixed offset, so each column is written in one vectorised assignment; fields
    of varying size (text, nulls) mark their unused tail bytes, and one boolean
    mask drops them all.
    """

    def __init__(self, table: Table) -> None:
        self.table = table.name
        self.n = table.rows
        self.columns = [column.name for column in table.columns]
        self._fields = [_field(table.name, column) for column in table.columns]

    def encode(self, a: int, b: int) -> np.ndarray:
        segments: list[_Segment] = [(_constant(len(self._fields), ">i2"), None)]
        for field in self._fields:
            segments.extend(field(a, b))
        sizes = [data.dtype.itemsize for data, _ in segments]
        offsets = np.cumsum([0, *sizes]).tolist()
        width = offsets[-1]
        names = [f"f{i}" for i in range(len(segments))]
        layout = np.dtype(
            {
                "names": names,
                "formats": [d.dtype for d, _ in segments],
                "offsets": offsets[:-1],
                "itemsize": width,
            }
        )
        rows = np.empty(b - a, dtype=layout)
        keep: np.ndarray | None = None
        positions = np.arange(max(sizes))
        for name, (data, lengths), size, offset in zip(names, segments, sizes, offsets, strict=False):
            rows[name] = data
            if lengths is not None:
                if keep is None:
                    keep = np.ones((b - a, width), dtype=bool)
                np.less(positions[:size], lengths[:, None], out=keep[:, offset : offset + size])
        raw = rows.view(np.uint8)
        return raw if keep is None else raw.reshape(b - a, width)[keep]

    def chunks(self) -> Iterator[np.ndarray]:
        for a in range(0, self.n, _CHUNK_ROWS):
            yield self.encode(a, min(a + _CHUNK_ROWS, self.n))


def _field(table: str, column: Column) -> _Field:
    match column:
        case BigInt(values=values, null=null):
            return _fixed(values, ">i8", null)
        case Integer(values=values):
            return _fixed(values, ">i4", None)
        case Boolean(values=values):
            return _fixed(values.astype(np.uint8), "u1", None)
        case Timestamp(seconds=seconds, null=null):
            return _fixed((seconds - _PG_EPOCH_SECONDS) * 1_000_000, ">i8", null)
        case Numeric(name=name, units=units, scale=scale):
            return _numeric(f"{table}.{name}", units, scale)
        case Text(codes=codes, words=words, null=null):
            return _text(codes, words, null)
        case GluedText(pieces=pieces):
            return _glued(pieces)
    raise TypeError(f"{table}.{column.name}: no binary encoding for {type(column).__name__}")


def _fixed(values: np.ndarray, dtype: str, null: np.ndarray | None) -> _Field:
    size = np.dtype(dtype).itemsize
    header = _constant(size)

    def field(a: int, b: int) -> list[_Segment]:
        data = values[a:b].astype(dtype)
        if null is None:
            return [(header, None), (data, None)]
        missing = null[a:b]
        return [(np.where(missing, -1, size).astype(">i4"), None), (data, np.where(missing, 0, size))]

    return field


def _numeric(where: str, values: np.ndarray, scale: int) -> _Field:
    """numeric from integers in units of 10**-scale, as three base-10000 digits."""
    unit = 10**scale
    if len(values) and (values.min() < 0 or values.max() >= 10**8 * unit):
        raise GlobalCartError(f"{where}: a value is outside the generator's numeric range")
    header = _constant(14)

    def field(a: int, b: int) -> list[_Segment]:
        whole, fraction = np.divmod(values[a:b], unit)
        out = np.empty((b - a, 7), dtype=">i2")
        out[:, :4] = (3, 1, 0, scale)  # ndigits, weight, sign, dscale; the server strips zero digits
        out[:, 4] = whole // 10_000
        out[:, 5] = whole % 10_000
        out[:, 6] = fraction * 10 ** (4 - scale)
        return [(header, None), (out.view("V14").reshape(-1), None)]

    return field


def _text(codes: np.ndarray, words: Sequence[str], null: np.ndarray | None) -> _Field:
    table, lengths = _vocabulary(words, header=True)
    if null is not None:
        missing = np.zeros(1, dtype=table.dtype)
        missing.view(np.uint8)[:4] = 0xFF  # length -1: NULL
        table, lengths = np.concatenate([table, missing]), np.append(lengths, 4)
        codes = np.where(null, len(table) - 1, codes)

    def field(a: int, b: int) -> list[_Segment]:
        picked = codes[a:b]
        return [(table[picked], lengths[picked])]

    return field


def _glued(pieces: Sequence[Piece]) -> _Field:
    words = {i: _vocabulary(p[1], header=False) for i, p in enumerate(pieces) if isinstance(p, tuple)}

    def field(a: int, b: int) -> list[_Segment]:
        segments: list[_Segment] = []
        total = np.zeros(b - a, dtype=np.int64)
        for i, piece in enumerate(pieces):
            if isinstance(piece, str):
                segments.append((_constant(piece.encode()), None))
                total += len(piece.encode())
                continue
            if isinstance(piece, np.ndarray):
                data, lengths = _decimal_digits(piece[a:b])
            else:
                table, word_lengths = words[i]
                data, lengths = table[piece[0][a:b]], word_lengths[piece[0][a:b]]
            segments.append((data, lengths))
            total += lengths
        return [(total.astype(">i4"), None), *segments]

    return field


def _constant(value: int | bytes, dtype: str = ">i4") -> np.ndarray:
    if isinstance(value, bytes):
        return np.frombuffer(value, dtype=f"V{len(value)}")
    return np.array([value], dtype=dtype)


def _vocabulary(words: Sequence[str], header: bool) -> tuple[np.ndarray, np.ndarray]:
    """Each word's bytes (after its int32 length, if header) padded to one width, and its byte count."""
    encoded = [w.encode() for w in words]
    head = 4 if header else 0
    width = max(head + max([len(e) for e in encoded] + [0]), 1)
    table = np.zeros((max(len(encoded), 1), width), dtype=np.uint8)
    lengths = np.zeros(len(table), dtype=np.int64)
    for i, e in enumerate(encoded):  # the words of a vocabulary, not rows
        if header:
            table[i, :4] = np.frombuffer(len(e).to_bytes(4, "big"), dtype=np.uint8)
        table[i, head : head + len(e)] = np.frombuffer(e, dtype=np.uint8)
        lengths[i] = head + len(e)
    return table.view(f"V{width}").reshape(-1), lengths


def _decimal_digits(values: np.ndarray) -> _Segment:
    """Non-negative integers as left-aligned ASCII digits."""
    width = len(str(int(values.max()))) if len(values) else 1
    count = np.ones(len(values), dtype=np.int64)
    for k in range(1, width):  # one pass per digit position
        count += values >= 10**k
    exponent = count[:, None] - 1 - np.arange(width)
    digits = (values[:, None] // 10 ** np.maximum(exponent, 0) % 10 + ord("0")).astype(np.uint8)
    return digits.view(f"V{width}").reshape(-1), count
