"""The dashboards, Data Docs and documentation pages, as a FastAPI app the Airflow plugin mounts under /globalcart.

Inside Airflow every route requires a logged-in Airflow user (the app is given Airflow's
own ``get_user`` dependency): FastAPI apps mounted by a plugin are not protected unless
they ask. Files are served only from inside their folder.
"""

from __future__ import annotations

import html
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, HTTPException
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse

from globalcart.settings import BI, DATA_DOCS_DIR, PROJECT_DIR, Database
from globalcart.web.dashboards import NextRun, dashboards_router

DOCS_DIR = PROJECT_DIR / "docs"
PUBLICATIONS = ("kpis", "analytics")
STYLE = """<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:60rem;color:#1a1a1a}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3rem .6rem;text-align:left}
code,pre{background:#f4f4f4}pre{padding:.6rem;overflow:auto}a{color:#0b57d0}</style>"""


def _page(title: str, body: str) -> HTMLResponse:
    return HTMLResponse(
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>{STYLE}</head>"
        f"<body>{body}</body></html>"
    )


def _inside(root: Path, relative: str) -> Path:
    """``root/relative`` if it stays inside ``root`` and exists; 404 otherwise."""
    path = (root / relative).resolve()
    if not path.is_relative_to(root.resolve()) or not path.exists():
        raise HTTPException(status_code=404, detail="not found")
    return path


def _when(path: Path) -> str:
    return datetime.fromtimestamp(path.stat().st_mtime, UTC).strftime("%Y-%m-%d %H:%M UTC")


def create_app(
    user: Callable | None = None,
    data_docs_dir: Path = DATA_DOCS_DIR,
    docs_dir: Path = DOCS_DIR,
    bi: Database = BI,
    next_run: NextRun | None = None,
    **dashboard_options: Any,
) -> FastAPI:
    """The app; ``user`` is a FastAPI dependency that refuses anonymous requests (Airflow's, in Airflow).

    The dashboards read through ``bi`` (the BI role); ``next_run`` tells them when the
    incremental DAG runs next (Airflow knows; stand-alone they say so).
    """
    app = FastAPI(title="GlobalCart 360", dependencies=[Depends(user)] if user else [])

    @app.middleware("http")
    async def server_timing(request, call_next):
        # The time the app spent on a request, for browsers' dev tools and `globalcart bench-dashboards`.
        started = time.perf_counter()
        response = await call_next(request)
        response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
        return response

    router, marts = dashboards_router(bi, next_run, **dashboard_options)
    app.include_router(router)
    app.state.marts = marts

    @app.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        return RedirectResponse("dashboards/executive")

    @app.get("/data-docs/", response_class=HTMLResponse)
    def data_docs_index() -> HTMLResponse:
        sections = []
        for publication in PUBLICATIONS:
            folder = data_docs_dir / publication
            runs = sorted(
                (p for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else [],
                key=lambda p: p.stat().st_mtime,
                reverse=True,
            )
            rows = "".join(
                f'<tr><td><a href="{publication}/{html.escape(run.name)}/">{html.escape(run.name)}</a></td>'
                f"<td>{_when(run)}</td></tr>"
                for run in runs
            )
            sections.append(
                f"<h2>{publication}</h2>"
                + (f"<table><tr><th>run</th><th>checked</th></tr>{rows}</table>" if rows else "<p>no run yet</p>")
            )
        return _page("Data Docs", "<h1>Quality gate: Data Docs</h1>" + "".join(sections))

    @app.get("/data-docs/{publication}/{run}/", response_class=HTMLResponse)
    def data_docs_run(publication: str, run: str) -> HTMLResponse:
        folder = _inside(data_docs_dir, f"{publication}/{run}")
        pages = sorted(folder.glob("validations/**/*.html"))
        rows = "".join(
            f'<li><a href="{html.escape(str(page.relative_to(folder)))}">'
            f"{html.escape(page.relative_to(folder / 'validations').parts[0])}</a></li>"
            for page in pages
        )
        body = (
            f"<h1>Data Docs of run {html.escape(run)}</h1><p>{publication}, checked {_when(folder)}. "
            f"One page per set of rows checked:</p><ul>{rows or '<li>no validation page</li>'}</ul>"
            '<p><a href="../../">all runs</a></p>'
        )
        return _page(f"Data Docs {run}", body)

    @app.get("/data-docs/{path:path}")
    def data_docs_file(path: str) -> FileResponse:
        file = _inside(data_docs_dir, path)
        if file.is_dir():
            raise HTTPException(status_code=404, detail="not found")
        return FileResponse(file)

    @app.get("/docs/{page}", response_class=HTMLResponse)
    def documentation(page: str) -> HTMLResponse:
        from markdown_it import MarkdownIt

        if not re.fullmatch(r"[a-z][a-z-]*", page):
            raise HTTPException(status_code=404, detail="not found")
        source = _inside(docs_dir, f"{page}.md")
        rendered = MarkdownIt("commonmark").enable("table").render(source.read_text())
        # Links between pages of the docs stay inside the app; anchors keep working.
        rendered = re.sub(r'href="([a-z][a-z-]*)\.md(#[^"]*)?"', r'href="\1\2"', rendered)
        rendered = re.sub(r"<h([1-3])>(.*?)</h\1>", _anchored, rendered)
        return _page(page, rendered)

    return app


def _anchored(match: re.Match) -> str:
    """A heading with the id GitHub would give it, so links like runbook#when-a-run-fails land."""
    level, title = match.group(1), match.group(2)
    plain = re.sub(r"<[^>]+>", "", html.unescape(title)).lower()
    anchor = re.sub(r"[^\w\- ]", "", plain).strip().replace(" ", "-")
    return f'<h{level} id="{anchor}">{title}</h{level}>'
