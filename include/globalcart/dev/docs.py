"""The tables in docs/ that come from code, so they cannot drift from it.

A rendered table sits between ``<!-- rendered: NAME -->`` and ``<!-- end rendered -->``;
``globalcart render-docs`` rewrites every such block from its source, and a test fails
while a checked-in page differs from a fresh render.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from globalcart.errors import GlobalCartError
from globalcart.marts import catalog
from globalcart.quality.checks import ANALYTICS_CHECKS, CHECKS, Check
from globalcart.settings import PROJECT_DIR

DOCS_DIR = PROJECT_DIR / "docs"
_BLOCK = re.compile(r"(<!-- rendered: ([a-z-]+) -->\n)(.*?)(<!-- end rendered -->)", re.S)


def _checks_table(checks: tuple[Check, ...], with_suite: bool) -> str:
    head = (
        "| check | suite | severity | rule |\n|---|---|---|---|"
        if with_suite
        else ("| check | severity | rule |\n|---|---|---|")
    )
    rows = [
        f"| `{c.name}` | {c.suite} | {c.severity} | {c.description} |"
        if with_suite
        else f"| `{c.name}` | {c.severity} | {c.description} |"
        for c in checks
    ]
    return "\n".join([head, *rows])


RENDERERS: dict[str, Callable[[], str]] = {
    "kpi-catalog": catalog.markdown_table,
    "quality-checks": lambda: _checks_table(CHECKS, with_suite=True),
    "analytics-checks": lambda: _checks_table(ANALYTICS_CHECKS, with_suite=False),
}


def render(text: str) -> str:
    """The page with every rendered block written afresh from its source."""

    def replace(match: re.Match) -> str:
        name = match.group(2)
        if name not in RENDERERS:
            raise GlobalCartError(f"unknown rendered block {name!r}; known: {', '.join(sorted(RENDERERS))}")
        return f"{match.group(1)}{RENDERERS[name]()}\n{match.group(4)}"

    return _BLOCK.sub(replace, text)


def blocks(text: str) -> list[str]:
    """The names of the rendered blocks on a page."""
    return [match.group(2) for match in _BLOCK.finditer(text)]


def pages(docs_dir: Path = DOCS_DIR) -> list[Path]:
    return sorted(docs_dir.glob("*.md"))


def render_docs(docs_dir: Path = DOCS_DIR) -> list[Path]:
    """Rewrite the rendered blocks of every page; returns the pages that changed."""
    changed = []
    for page in pages(docs_dir):
        text = page.read_text()
        fresh = render(text)
        if fresh != text:
            page.write_text(fresh)
            changed.append(page)
    return changed
