"""The dashboards' endpoints against a real published warehouse, read as the BI role.

The numbers they show are the published ones (the KPI tables, the facts behind the
analytics), filters must be published values, and an empty, blocked or stale
warehouse is a state the page shows, never an error.
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta

import psycopg
import pytest
from fastapi.testclient import TestClient

from globalcart import db, publications
from globalcart.dev import localstack
from globalcart.settings import SQL_DIR
from globalcart.warehouse.migrations import apply_migrations
from globalcart.web.dashboards import TILES, data_docs_link
from globalcart.web.pages import create_app
from tests.support.stack import scratch_database
from tests.web.conftest import Published, as_bi

FILTERED = (
    "executive/tiles",
    "executive/trend",
    "operations/on-time",
    "operations/payments",
    "operations/returns",
)
UNFILTERED = (
    "filters",
    "executive/leakage",
    "executive/customers",
    "executive/cohorts",
    "operations/lateness-drivers",
    "operations/freshness",
)


@pytest.fixture
def client(published: Published) -> TestClient:
    app = create_app(bi=published.bi)
    yield TestClient(app)
    app.state.marts.close()


def _get(client: TestClient, endpoint: str, **params) -> dict:
    response = client.get(f"/api/dashboards/{endpoint}", params=params)
    assert response.status_code == 200, (endpoint, response.text)
    return response.json()


def _a_closed_month(published: Published) -> date:
    ((month,),) = published.stack.warehouse_sql(
        "select date_trunc('month', max(period_start) - 35)::date from marts.kpi_monthly"
    )
    return month


def test_the_tiles_of_a_month_are_the_published_monthly_kpis(published: Published, client: TestClient) -> None:
    month = _a_closed_month(published)
    end = month.replace(day=calendar.monthrange(month.year, month.month)[1])
    ((channel, category),) = published.stack.warehouse_sql(
        "select min(dimension_value) filter (where dimension_name = 'channel'),"
        " min(dimension_value) filter (where dimension_name = 'category') from marts.kpi_monthly"
    )
    for dimension, value in (("all", None), ("channel", channel), ("category", category)):
        body = _get(
            client,
            "executive/tiles",
            start=month.isoformat(),
            end=end.isoformat(),
            **({dimension: value} if value else {}),
        )
        assert body["state"] == "fresh" and body["data"]["filters"]["start"] == month.isoformat()
        shown = {tile["kpi"]: tile["current"] for tile in body["data"]["tiles"]}
        columns = ", ".join(TILES)
        ((*expected,),) = published.stack.warehouse_sql(
            f"select {columns} from marts.kpi_monthly where period_start = %s and dimension_name = %s"  # noqa: S608
            " and dimension_value = %s",
            (month, dimension, value or "all"),
        )
        for kpi, published_value in zip(TILES, expected, strict=True):
            if dimension != "all" and kpi == "on_time_delivery_pct":
                # Deliveries are cut by region only: the KPI tables leave it empty for a channel or category.
                assert published_value is None and shown[kpi] is None
                continue
            assert published_value is not None, (dimension, kpi)
            assert shown[kpi] == pytest.approx(float(published_value), abs=1e-9), (dimension, kpi)


def test_the_previous_period_and_last_year_are_the_same_length_before(client: TestClient) -> None:
    body = _get(client, "executive/tiles", start="2026-03-01", end="2026-03-31")["data"]["periods"]
    assert body["previous"] == ["2026-01-29", "2026-02-28"]
    assert body["last_year"] == ["2025-03-01", "2025-03-31"]


def test_the_trend_adds_up_to_the_tile_and_the_forecast_is_the_chosen_model(
    published: Published, client: TestClient
) -> None:
    tiles = _get(client, "executive/tiles")["data"]
    trend = _get(client, "executive/trend")["data"]
    net_sales = next(t["current"] for t in tiles["tiles"] if t["kpi"] == "net_sales")
    assert sum(day["net_sales"] for day in trend["actual"]) == pytest.approx(net_sales, abs=0.01)
    assert len(trend["actual"]) == 28  # the default period: the 28 days up to the last closed day
    ((model, days),) = published.stack.warehouse_sql(
        "select model, count(*) from marts.revenue_forecast where is_chosen and not is_collapsed group by model"
    )
    assert {row["model"] for row in trend["forecast"]} == {model} and len(trend["forecast"]) == days
    assert all(
        r["lower_95"] <= r["lower_80"] <= r["forecast"] <= r["upper_80"] <= r["upper_95"] for r in trend["forecast"]
    )
    filtered = _get(
        client,
        "executive/trend",
        region=published.stack.warehouse_sql("select min(region) from marts.kpi_cube_daily where region <> 'all'")[0][
            0
        ],
    )["data"]
    assert filtered["forecast"] == [] and "whole shop" in filtered["forecast_note"]


def test_payment_declines_and_returns_add_up_to_the_facts(published: Published, client: TestClient) -> None:
    ((as_of,),) = published.stack.warehouse_sql("select max(as_of) from marts.analytics_status")
    ((first,),) = published.stack.warehouse_sql("select min(period_start) from marts.kpi_cube_daily")
    whole = {"start": first.isoformat(), "end": as_of.isoformat()}
    declines = _get(client, "operations/payments", **whole)["data"]["declines"]
    ((attempts, declined),) = published.stack.warehouse_sql(
        "select count(*), count(*) filter (where is_declined) from dw.fct_payment_attempt"
        " where attempted_at < %s::date + 1",
        (as_of,),
    )
    assert sum(r["payment_attempts"] for r in declines) == attempts > 0
    assert sum(r["declined_attempts"] for r in declines) == declined > 0
    for row in declines:
        assert row["decline_rate"] == pytest.approx(round(row["declined_attempts"] / row["payment_attempts"], 4))

    returned = _get(client, "operations/returns", **whole)["data"]["returns"]
    ((lines, undelivered),) = published.stack.warehouse_sql(
        "select count(*), count(*) filter (where days_after_delivery is null) from dw.fct_return_line"
        " where requested_at < %s::date + 1",
        (as_of,),
    )
    assert sum(r["returned_lines"] for r in returned) == lines > 0
    assert sum(r["returned_lines"] for r in returned if r["days_after_delivery"] == "not delivered") == undelivered

    # A filter reads its own rolled-up rows: a region's returns are those of its customers.
    ((region, region_lines),) = published.stack.warehouse_sql(
        "select c.region, count(*) from dw.fct_return_line as r join dw.dim_customer as c using (customer_key)"
        " where r.requested_at < %s::date + 1 group by c.region order by count(*) desc limit 1",
        (as_of,),
    )
    in_region = _get(client, "operations/returns", region=region, **whole)["data"]["returns"]
    assert sum(r["returned_lines"] for r in in_region) == region_lines < lines


def test_every_panel_answers_under_every_filter(published: Published, client: TestClient) -> None:
    choices = _get(client, "filters")["data"]
    assert choices["channels"] and choices["regions"] and choices["categories"]
    for filters in (
        {},
        {"channel": choices["channels"][0]},
        {"region": choices["regions"][-1], "category": choices["categories"][0]},
        {"start": choices["first_day"], "end": choices["last_day"], "channel": choices["channels"][-1]},
    ):
        for endpoint in FILTERED:
            body = _get(client, endpoint, **filters)
            assert body["state"] == "fresh" and body["data"] is not None, endpoint
            assert {k: v for k, v in body["data"]["filters"].items() if k in filters} == filters, endpoint
    for endpoint in UNFILTERED:
        assert _get(client, endpoint)["data"], endpoint
    # A category filter narrows the leakage panel to that category.
    leakage = _get(client, "executive/leakage", category=choices["categories"][0])["data"]["categories"]
    assert [row["category"] for row in leakage] == [choices["categories"][0]]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"channel": "nowhere"}, "channel 'nowhere' is not a published value"),
        ({"region": "x' or '1'='1"}, "region \"x' or '1'='1\" is not a published value"),
        ({"start": "2026-02-30"}, "start must be a date as YYYY-MM-DD"),
        ({"start": "2026-05-02", "end": "2026-05-01"}, "start 2026-05-02 is after end 2026-05-01"),
        ({"start": "2020-01-01", "end": "2026-01-01"}, "a period is at most"),
    ],
)
def test_a_filter_outside_the_published_values_is_refused_in_one_line(
    published: Published, client: TestClient, params: dict, message: str
) -> None:
    before = published.stack.warehouse_sql("select count(*) from marts.kpi_daily")
    for endpoint in FILTERED:
        response = client.get(f"/api/dashboards/{endpoint}", params=params)
        assert response.status_code == 400, (endpoint, response.text)
        detail = response.json()["detail"]
        assert detail.startswith(message) and "\n" not in detail
    assert published.stack.warehouse_sql("select count(*) from marts.kpi_daily") == before


def test_the_dashboards_read_as_the_bi_role_and_only_published_tables(published: Published, client: TestClient) -> None:
    _get(client, "executive/tiles")
    with psycopg.connect(published.stack.server_uri, autocommit=True) as admin:
        readers = admin.execute(
            "select distinct usename from pg_stat_activity where application_name = 'globalcart_dashboards'"
            " and datname = %s",
            (published.stack.warehouse.name,),
        ).fetchall()
    assert readers == [("globalcart_bi",)]
    # Every query the panels run names published tables in marts only.
    sql_files = sorted((SQL_DIR / "dashboards").glob("*.sql"))
    assert sql_files
    for path in sql_files:
        text = path.read_text()
        assert "dw." not in text and "audit." not in text and "kpi." not in text, path.name


def test_a_blocked_gate_then_a_late_publication_are_shown_as_such(published: Published) -> None:
    with db.connect(published.stack.warehouse) as conn:
        published_at = publications.last_published(conn, publications.KPIS).decided_at
        publications.record_blocked(conn, "manual__blocked", ["net_sales_not_negative"], [])
    try:
        app = create_app(bi=published.bi, clock=lambda: datetime.now(UTC))
        with TestClient(app) as client:
            status = _get(client, "status")["kpis"]
            assert status["state"] == "blocked"
            assert "the last run was blocked by the quality gate (net_sales_not_negative)" in status["message"]
            assert _get(client, "executive/tiles")["data"]["tiles"]  # the published numbers are still shown
        app.state.marts.close()
        later = published_at + timedelta(hours=3)
        app = create_app(bi=published.bi, clock=lambda: later)
        with TestClient(app) as client:
            status = _get(client, "status")["kpis"]
            assert status["state"] == "stale"
            assert status["message"].startswith("KPIs published 3 h ago")
            assert "blocked by the quality gate" in status["message"]
            freshness = _get(client, "operations/freshness")
            assert freshness["state"] == "stale" and freshness["data"]["watermarks"]
        app.state.marts.close()
    finally:
        published.stack.warehouse_sql("delete from audit.publications where run_id = 'manual__blocked'")
        published.stack.warehouse_sql("delete from marts.publication_log where run_id = 'manual__blocked'")


def test_an_empty_warehouse_says_nothing_is_published_yet(server_uri: str) -> None:
    with scratch_database(server_uri) as warehouse_uri:
        from globalcart.settings import BI, WAREHOUSE

        warehouse = WAREHOUSE.at(warehouse_uri)
        localstack.grant_bi_reader(warehouse)
        with db.connect(warehouse) as conn:
            apply_migrations(conn)
        app = create_app(bi=BI.at(as_bi(warehouse_uri)))
        with TestClient(app) as client:
            for endpoint in (*FILTERED, *UNFILTERED):
                body = _get(client, endpoint)
                assert body["state"] == "empty", endpoint
                if endpoint == "operations/freshness":
                    assert body["data"]["watermarks"] == [] and body["data"]["quality"] == []
                else:
                    assert body["data"] is None, endpoint
                assert body["message"].startswith("No KPIs published yet") or body["message"].startswith(
                    "No analytics published yet"
                )
            assert client.get("/dashboards/executive").status_code == 200
        app.state.marts.close()


def test_the_freshness_panel_shows_watermarks_runs_and_the_gate(published: Published, client: TestClient) -> None:
    data = _get(client, "operations/freshness")["data"]
    tables = {row["table_name"] for row in data["watermarks"]}
    assert {"orders", "order_items", "payments", "shipments", "returns"} <= tables
    assert {row["run_id"] for row in data["load_runs"]} == {
        run for (run,) in published.stack.warehouse_sql("select distinct run_id from audit.load_runs")
    }
    checks = published.stack.warehouse_sql(
        "select count(*) from audit.quality_results where run_id in"
        " (select distinct on (publication) run_id from audit.publications"
        " order by publication, decided_at desc)"
    )
    assert len(data["quality"]) == checks[0][0] > 0
    assert {row["publication"] for row in data["quality"]} == {"kpis", "analytics"}
    assert data["next_run"] is None and "globalcart_incremental" in data["next_run_note"]


def test_a_data_docs_page_links_to_its_run() -> None:
    assert (
        data_docs_link("/srv/.local/data_docs/kpis/manual__2026-12-01/index.html")
        == "data-docs/kpis/manual__2026-12-01/"
    )
    assert data_docs_link(None) is None
    assert data_docs_link("index.html") is None


def test_the_pages_and_their_scripts_are_served_from_the_project(client: TestClient) -> None:
    for page in ("executive", "operations"):
        html = client.get(f"/dashboards/{page}").text
        assert "http://" not in html and "https://" not in html
        for script in ("static/echarts.min.js", "static/dashboards.js", "static/dashboards.css"):
            assert script in html
            assert client.get(f"/dashboards/{script}").status_code == 200
    assert client.get("/dashboards/static/../pages.py").status_code == 404
    assert client.get("/dashboards/nowhere").status_code == 404


def test_inside_airflow_an_anonymous_request_for_a_dashboard_is_refused(published: Published) -> None:
    from airflow.api_fastapi.core_api.security import get_user

    app = create_app(user=get_user, bi=published.bi)
    client = TestClient(app)
    for path in (
        "/dashboards/executive",
        "/dashboards/operations",
        "/dashboards/static/dashboards.js",
        "/api/dashboards/status",
        "/api/dashboards/executive/tiles",
        "/api/dashboards/operations/freshness",
    ):
        assert client.get(path).status_code in (401, 403), path
