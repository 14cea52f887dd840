"""The SQL rendered from the contracts and templates is checked in as it renders now (no database)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from globalcart import settings
from globalcart.warehouse.render import rendered_sql
from globalcart.warehouse.steps import MERGE_STEPS


def test_the_checked_in_sql_is_a_fresh_render() -> None:
    rendered = rendered_sql()
    stale = [name for name, text in rendered.items() if not _reads(settings.SQL_DIR / name, text)]
    assert not stale, f"{stale} differ from their render: run `make render-sql` (globalcart render-sql) and commit them"
    assert set(MERGE_STEPS) <= set(rendered)


def test_render_sql_rewrites_what_differs_and_says_so(tmp_path: Path) -> None:
    sql_dir = tmp_path / "sql"
    shutil.copytree(settings.SQL_DIR, sql_dir)
    edited = sql_dir / "merge" / "merge_mirror_orders.sql"
    edited.write_text(edited.read_text() + "-- edited by hand\n")

    result = subprocess.run(
        [sys.executable, "-m", "globalcart", "render-sql"],
        env={**os.environ, "GLOBALCART_SQL_DIR": str(sql_dir)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.splitlines() == [
        "rendered merge/merge_mirror_orders.sql",
        f"{len(rendered_sql())} SQL files rendered, 1 changed",
    ]
    assert edited.read_text() == (settings.SQL_DIR / "merge" / "merge_mirror_orders.sql").read_text()


def _reads(path: Path, text: str) -> bool:
    return path.is_file() and path.read_text() == text
