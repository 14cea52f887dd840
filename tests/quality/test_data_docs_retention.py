"""Data Docs are kept per publication by age and size: they take a few MB each, every few minutes."""

from __future__ import annotations

import os
from pathlib import Path

from globalcart.quality.gate import prune_data_docs

NOW = 10_000_000.0
DAY = 86_400


def make_run(root: Path, name: str, age_days: float, size_bytes: int = 1000) -> Path:
    run = root / name
    (run / "validations").mkdir(parents=True)
    (run / "index.html").write_bytes(b"x" * size_bytes)
    os.utime(run, (NOW - age_days * DAY, NOW - age_days * DAY))
    return run


def test_runs_older_than_the_limit_lose_their_data_docs(tmp_path: Path) -> None:
    for age in (0, 1, 5, 20, 40):
        make_run(tmp_path, f"run_{age}d", age)

    deleted = prune_data_docs(tmp_path, keep_days=14, max_mb=100, now=NOW)

    assert sorted(p.name for p in tmp_path.iterdir()) == ["run_0d", "run_1d", "run_5d"]
    assert sorted(p.name for p in deleted) == ["run_20d", "run_40d"]
    assert prune_data_docs(tmp_path / "missing", now=NOW) == []


def test_the_oldest_go_first_when_the_total_is_too_big_but_the_newest_stays(tmp_path: Path) -> None:
    megabyte = 1024 * 1024
    for age in range(4):
        make_run(tmp_path, f"run_{age}", age / 24, size_bytes=megabyte)

    prune_data_docs(tmp_path, keep_days=14, max_mb=2.5, now=NOW)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run_0", "run_1"]

    prune_data_docs(tmp_path, keep_days=14, max_mb=0.1, now=NOW)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run_0"]


def test_each_publication_prunes_only_its_own_folder(tmp_path: Path) -> None:
    make_run(tmp_path / "kpis", "old", 30)
    make_run(tmp_path / "kpis", "new", 0)
    make_run(tmp_path / "analytics", "old", 30)
    make_run(tmp_path / "analytics", "older", 31)

    prune_data_docs(tmp_path / "kpis", keep_days=14, now=NOW)

    assert sorted(p.name for p in (tmp_path / "kpis").iterdir()) == ["new"]
    assert sorted(p.name for p in (tmp_path / "analytics").iterdir()) == ["old", "older"]
