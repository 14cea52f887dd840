"""Data Docs are kept for the most recent runs only: they take a few MB each, every 15 minutes."""

from __future__ import annotations

import os
from pathlib import Path

from globalcart.quality.gate import prune_data_docs


def test_only_the_most_recent_runs_keep_their_data_docs(tmp_path: Path) -> None:
    for age in range(5):
        run = tmp_path / f"run_{age}"
        (run / "validations").mkdir(parents=True)
        (run / "index.html").write_text("<html></html>")
        os.utime(run, (1_000_000 - age * 60, 1_000_000 - age * 60))

    deleted = prune_data_docs(tmp_path, keep=2)

    assert sorted(p.name for p in tmp_path.iterdir()) == ["run_0", "run_1"]
    assert sorted(p.name for p in deleted) == ["run_2", "run_3", "run_4"]
    assert prune_data_docs(tmp_path / "missing", keep=2) == []
