"""Both dashboards in headless Chromium (Debian's package), served by uvicorn from a published warehouse.

Each test loads a page the way a person does, checks that the panels show the published
numbers, changes a filter, and saves a screenshot under .local/test-artifacts/. The
browser may reach the dashboards' own server only: a request anywhere else (a CDN) fails
the test.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from globalcart.settings import LOCAL_DIR
from globalcart.web.pages import create_app
from tests.web.conftest import Published

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = LOCAL_DIR / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (make browser installs it)"
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server(published: Published) -> Iterator[str]:
    import uvicorn

    port = _free_port()
    app = create_app(bi=published.bi)
    served = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=served.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not served.started:
        assert time.monotonic() < deadline, "the dashboards' server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    served.should_exit = True
    thread.join(timeout=10)
    app.state.marts.close()


@pytest.fixture
def page(server: str, tmp_path: Path):
    from playwright.sync_api import sync_playwright

    outside: list[str] = []
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 1600})

        def only_ours(route) -> None:
            if urlsplit(route.request.url).netloc == urlsplit(server).netloc:
                route.continue_()
            else:
                outside.append(route.request.url)
                route.abort()

        context.route("**/*", only_ours)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        yield page
        browser.close()
    assert outside == [], f"the page asked for something outside the project: {outside}"
    assert errors == [], f"script errors: {errors}"


def _open(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("body[data-ready='true']", timeout=30_000)


def _screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.wait_for_timeout(500)  # let the charts finish their entry animation
    page.screenshot(path=str(path), full_page=True)
    return path


def _tile(page, kpi: str) -> float:
    return float(page.get_attribute(f".tile[data-kpi='{kpi}']", "data-value"))


def _net_sales(published: Published, start: str, end: str, channel: str | None = None) -> float:
    ((value,),) = published.stack.warehouse_sql(
        "select sum(net_sales) from marts.kpi_daily where period_start between %s and %s"
        " and dimension_name = %s and dimension_value = %s",
        (start, end, "channel" if channel else "all", channel or "all"),
    )
    return float(value)


def test_the_executive_dashboard_shows_the_published_numbers_and_follows_a_filter(
    server: str, page, published: Published
) -> None:
    _open(page, f"{server}/dashboards/executive")
    assert page.locator("#status").get_attribute("data-state") == "fresh"
    start = page.get_attribute("input[name=start]", "placeholder")
    end = page.get_attribute("input[name=end]", "placeholder")
    assert _tile(page, "net_sales") == pytest.approx(_net_sales(published, start, end), abs=0.01)
    # The tile's hover text is the catalog's definition.
    assert page.get_attribute(".tile[data-kpi='net_sales']", "title").startswith("Net sales: gross sales")
    assert page.locator("#trend canvas").count() >= 1 and page.locator("#cohorts canvas").count() >= 1
    assert page.get_attribute("#trend .chart", "data-points") == "28"
    assert float(page.get_attribute("#trend .chart", "data-total")) == pytest.approx(_tile(page, "net_sales"), abs=0.01)
    assert page.locator("#leakage tbody tr").count() >= 1
    before = _screenshot(page, "executive")

    channel = page.locator("select[name=channel] option").nth(1).get_attribute("value")
    with page.expect_response(lambda r: "executive/tiles" in r.url and f"channel={channel}" in r.url):
        page.select_option("select[name=channel]", channel)
    page.wait_for_function("document.body.dataset.filtersApplied !== undefined")
    assert f"channel={channel}" in page.url
    assert _tile(page, "net_sales") == pytest.approx(_net_sales(published, start, end, channel), abs=0.01)
    assert _tile(page, "net_sales") < _net_sales(published, start, end)
    assert page.locator("#trend .body p.note").inner_text().startswith("The forecast is for the whole shop")
    after = _screenshot(page, "executive-one-channel")
    assert before.stat().st_size > 20_000 and after.stat().st_size > 20_000


def test_the_operations_dashboard_shows_freshness_sla_payments_and_returns(
    server: str, page, published: Published
) -> None:
    _open(page, f"{server}/dashboards/operations")
    for panel in ("on-time", "payments", "returns"):
        assert page.locator(f"#{panel} canvas").count() >= 1, panel
    assert page.locator("#lateness tbody tr").count() >= 1
    watermarks = published.stack.warehouse_sql("select count(*) from audit.watermarks")[0][0]
    freshness = page.locator("#freshness").inner_text()
    assert "Source watermarks" in freshness and "Latest quality-gate results" in freshness
    assert page.locator("#freshness table").nth(1).locator("tbody tr").count() == watermarks
    assert page.locator("#freshness p[data-publication='kpis'] a").get_attribute("href").endswith("/")
    _screenshot(page, "operations")

    region = page.locator("select[name=region] option").nth(1).get_attribute("value")
    with page.expect_response(lambda r: "operations/returns" in r.url and f"region={region}" in r.url):
        page.select_option("select[name=region]", region)
    page.wait_for_function("document.body.dataset.filtersApplied !== undefined")
    start = page.get_attribute("input[name=start]", "placeholder")
    end = page.get_attribute("input[name=end]", "placeholder")
    ((lines,),) = published.stack.warehouse_sql(
        "select sum(returned_lines) from marts.return_timing where requested_date between %s and %s"
        " and region = %s and channel = 'any' and category = 'any'",
        (start, end, region),
    )
    assert int(page.get_attribute("#returns .chart", "data-lines")) == lines
    _screenshot(page, "operations-one-region")


def test_a_new_publication_updates_the_open_page_without_a_reload(
    server: str, page, published: Published, monkeypatch: pytest.MonkeyPatch
) -> None:
    from globalcart.source import simulator
    from tests.support.stack import SOURCE_ENV

    _open(page, f"{server}/dashboards/executive")
    page.evaluate("window.sameDocument = true")
    first = page.get_attribute("#tiles", "data-published-at")
    monkeypatch.setenv(SOURCE_ENV, published.stack.source.uri)
    simulator.simulate(1, 6.0)
    summary = published.stack.run(publish=True, send_alert=lambda *_: None)
    assert summary.published
    # The page polls the status every 15 s; the tiles are fetched again when the publication is newer.
    page.wait_for_function(
        f"document.querySelector('#tiles').dataset.publishedAt !== {first!r}"
        " && document.querySelector('#tiles').dataset.loading === 'false'",
        timeout=40_000,
    )
    assert page.evaluate("window.sameDocument") is True
    start = page.get_attribute("input[name=start]", "placeholder")
    end = page.get_attribute("input[name=end]", "placeholder")
    assert _tile(page, "net_sales") == pytest.approx(_net_sales(published, start, end), abs=0.01)
