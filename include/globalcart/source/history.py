"""Load a generated history into the source database, with the simulator's bookkeeping."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, time

import psycopg

from globalcart import db
from globalcart.settings import SHOP
from globalcart.source.generator import GenerationParams, generate


def load_history(
    *,
    order_lines: int,
    days: int,
    end_date: date,
    seed: int,
    replace: bool = False,
    progress: Callable[[str], None] = lambda _: None,
) -> dict:
    """Generate a history into the source database; returns its manifest.

    Without ``replace`` an existing history is an error. With it, the old one is
    dropped in the same transaction that puts the new one (and its sim schema) in
    place, so a failed load leaves the old history as it was.
    """
    params = GenerationParams(order_lines=order_lines, days=days, end_date=end_date, seed=seed)

    def save_generation(conn: psycopg.Connection, manifest: dict) -> None:
        db.run_sql_file(conn, "source/sim/create_sim_schema.sql")
        db.run_sql_file(
            conn,
            "source/sim/save_generation.sql",
            {
                "manifest": json.dumps(manifest, default=str),
                "simulated_at": datetime.combine(end_date, time(0), tzinfo=UTC),
                "seed": seed,
            },
        )

    with db.connect(SHOP) as conn:
        return generate(conn, params, progress=progress, replace=replace, before_commit=save_generation)
