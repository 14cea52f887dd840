"""The documentation: tables rendered from code are up to date, links between pages resolve, the README stays short."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from globalcart.dev import docs

PROJECT = Path(__file__).resolve().parents[1]
PAGES = docs.pages()


def test_every_rendered_table_equals_a_fresh_render() -> None:
    stale = [page.name for page in PAGES if docs.render(page.read_text()) != page.read_text()]
    assert not stale, f"run `make docs` and commit: {', '.join(stale)} differ from the code"


def test_each_table_that_could_drift_is_rendered_somewhere() -> None:
    rendered = {name for page in PAGES for name in docs.blocks(page.read_text())}
    assert rendered == set(docs.RENDERERS)


def test_a_stale_table_is_noticed() -> None:
    page = next(page for page in PAGES if "quality-checks" in docs.blocks(page.read_text()))
    edited = page.read_text().replace("| `order_line_grain_is_unique` |", "| `order_line_grain_was_unique` |")
    assert docs.render(edited) != edited


@pytest.mark.parametrize("page", [PROJECT / "README.md", *PAGES], ids=lambda p: p.name)
def test_links_to_project_files_resolve(page: Path) -> None:
    for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", page.read_text()):
        assert (page.parent / target).exists(), f"{page.name} links to {target}, which does not exist"


def test_the_readme_is_a_door_not_a_house() -> None:
    assert len((PROJECT / "README.md").read_text().splitlines()) < 200
