"""A scratch copy of the warehouse's definitions, applied by the migration runner instead of the real ones."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from globalcart.warehouse import migrations


def copy_definitions(folder: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Copy include/sql/warehouse/definitions to ``folder``; the runner applies the copy, edits included."""
    shutil.copytree(migrations.DEFINITIONS_DIR, folder)
    monkeypatch.setattr(migrations, "DEFINITIONS_DIR", folder)
    return folder


def edit(path: Path, old: str, new: str) -> None:
    """Replace ``old`` (which must be there, once) with ``new`` in a file."""
    text = path.read_text()
    assert text.count(old) == 1, f"{old!r} is not in {path.name} exactly once"
    path.write_text(text.replace(old, new))
