"""The executive and operations dashboards: two pages and the small JSON endpoints their panels read.

Every query reads the published ``marts`` through the BI role's connection, never the
facts: panels aggregate the daily cube and the analytics tables. A page shows when its
data was published and polls ``api/dashboards/status`` (one small query); when a newer
publication lands it fetches its panels again, without a reload. Filter values must be
among the published ones and are bound as parameters. An empty or stale warehouse is a
state a panel shows, never an error.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse

from globalcart import db
from globalcart.settings import BI, FRESHNESS_MINUTES, Database

WEB_DIR = Path(__file__).resolve().parent
STATIC_DIR = WEB_DIR / "static"
PAGES = {"executive": "Executive", "operations": "Operations"}
DEFAULT_DAYS = 28
MAX_DAYS = 3 * 366
# Published data changes only when a publication lands: answers are kept until then.
CACHED_ANSWERS = 4096
# The status many concurrent panel requests share; a new publication shows within this.
STATUS_SECONDS = 1.0
TILES = ("net_sales", "gross_margin_pct", "orders", "average_order_value", "return_rate_units", "on_time_delivery_pct")
INCREMENTAL_DAG = "globalcart_incremental"
WHAT = {"kpis": "KPIs", "analytics": "analytics"}

NextRun = Callable[[], datetime | None]


def filter_query(
    start: str | None = None,
    end: str | None = None,
    channel: str | None = None,
    region: str | None = None,
    category: str | None = None,
) -> dict[str, str | None]:
    """The filters of a request's query string, as given (validated later against the published values)."""
    return {"start": start, "end": end, "channel": channel, "region": region, "category": category}


FilterQuery = Annotated[dict[str, str | None], Depends(filter_query)]


class BadFilter(ValueError):
    """A filter value that is not among the published ones: a 400 with one line saying which."""


@dataclass(frozen=True)
class Filters:
    start: date
    end: date
    channel: str | None
    region: str | None
    category: str | None

    def params(self) -> dict[str, Any]:
        days = (self.end - self.start).days + 1
        return {
            "period_from": self.start,
            "period_to": self.end,
            "previous_from": self.start - timedelta(days=days),
            "previous_to": self.start - timedelta(days=1),
            "last_year_from": _year_before(self.start),
            "last_year_to": _year_before(self.end),
            "channel": self.channel,
            "region": self.region,
            "category": self.category,
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "channel": self.channel,
            "region": self.region,
            "category": self.category,
        }


def _year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _plain(value: Any) -> Any:
    """JSON-ready: numbers as numbers, days and times as ISO text."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


class Marts:
    """Reads of the published marts through a small pool of BI connections."""

    def __init__(self, bi: Database, pool_size: int = 8) -> None:
        self.bi = bi
        self.pool_size = pool_size
        self._pool = None
        self._lock = threading.Lock()
        self._choices: tuple[Any, dict[str, Any]] | None = None
        self._status: tuple[float, dict[str, dict[str, Any]]] | None = None
        self._answers: OrderedDict[tuple, Any] = OrderedDict()

    def _connections(self):
        from psycopg_pool import ConnectionPool

        with self._lock:
            if self._pool is None:
                self._pool = ConnectionPool(
                    db.libpq_uri(self.bi.uri),
                    min_size=1,
                    max_size=self.pool_size,
                    kwargs={"autocommit": True, "application_name": "globalcart_dashboards"},
                    open=True,
                )
            return self._pool

    def close(self) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.close()
                self._pool = None

    def rows(self, sql_file: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        with self._connections().connection() as conn, conn.cursor() as cur:
            cur.execute(db.sql_text(sql_file), params or {})
            names = [column.name for column in cur.description]
            return [{name: _plain(value) for name, value in zip(names, row, strict=True)} for row in cur.fetchall()]

    def status(self) -> dict[str, dict[str, Any]]:
        cached = self._status
        if cached is not None and time.monotonic() - cached[0] < STATUS_SECONDS:
            return cached[1]
        status = {row["publication"]: row for row in self.rows("dashboards/select_publication_status.sql")}
        self._status = (time.monotonic(), status)
        return status

    def answer(self, key: tuple, status: dict[str, dict[str, Any]], compute: Callable[[], Any]) -> Any:
        """``compute()``, kept for the same key until a publication or a gate decision changes the status."""
        stamped = (*key, *((row["published_at"], row["last_decided_at"]) for row in status.values()))
        with self._lock:
            if stamped in self._answers:
                self._answers.move_to_end(stamped)
                return self._answers[stamped]
        value = compute()
        with self._lock:
            self._answers[stamped] = value
            while len(self._answers) > CACHED_ANSWERS:
                self._answers.popitem(last=False)
        return value

    def choices(self, kpis_published_at: Any) -> dict[str, Any]:
        """The published filter values, read again only when a new KPI publication landed."""
        cached = self._choices
        if cached is not None and cached[0] == kpis_published_at:
            return cached[1]
        (values,) = self.rows("dashboards/select_filter_values.sql")
        self._choices = (kpis_published_at, values)
        return values


def describe_state(status: dict[str, Any], now: datetime, limit_minutes: int, what: str) -> dict[str, Any]:
    """fresh, stale, blocked or empty, with the sentence a page shows."""
    published_at = status.get("published_at")
    if published_at is None:
        first = "globalcart_incremental" if what == "KPIs" else "globalcart_analytics (after the first KPI run)"
        return {"state": "empty", "message": f"No {what} published yet: the first run of {first} publishes them."}
    published = datetime.fromisoformat(published_at)
    age = now - published
    sentence = f"{what} published {_ago(age)} ({published.astimezone(UTC):%Y-%m-%d %H:%M} UTC)"
    if status.get("last_outcome") == "blocked":
        failed = ", ".join(status.get("last_failed_critical") or []) or "a critical check"
        state = "stale" if age > timedelta(minutes=limit_minutes) else "blocked"
        return {
            "state": state,
            "message": f"{sentence}; the last run was blocked by the quality gate ({failed}): newer data is held back.",
        }
    if age > timedelta(minutes=limit_minutes):
        return {
            "state": "stale",
            "message": f"{sentence}: older than the {limit_minutes}-minute limit, no run has published since.",
        }
    return {"state": "fresh", "message": sentence + "."}


def _ago(age: timedelta) -> str:
    minutes = int(age.total_seconds() // 60)
    if minutes < 1:
        return "just now"
    if minutes < 90:
        return f"{minutes} min ago"
    hours = minutes / 60
    if hours < 48:
        return f"{hours:.0f} h ago"
    return f"{hours / 24:.0f} days ago"


def _one_of(name: str, value: str | None, allowed: list[str]) -> str | None:
    if value in (None, "", "all"):
        return None
    if value not in allowed:
        raise BadFilter(f"{name} {value!r} is not a published value; choose one of: {', '.join(allowed)}")
    return value


def _day(name: str, value: str | None) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadFilter(f"{name} must be a date as YYYY-MM-DD, got {value!r}") from None


def parse_filters(
    choices: dict[str, Any],
    start: str | None,
    end: str | None,
    channel: str | None,
    region: str | None,
    category: str | None,
) -> Filters:
    """Validated filters; the period defaults to the 28 days up to the last closed published day."""
    last_day = date.fromisoformat(choices["last_day"]) if choices.get("last_day") else datetime.now(UTC).date()
    # The newest published day is usually today, still open: the default period ends the day before.
    closed_day = (
        last_day - timedelta(days=1)
        if choices.get("first_day") and choices["first_day"] < choices["last_day"]
        else last_day
    )
    end_day = _day("end", end) or closed_day
    start_day = _day("start", start) or end_day - timedelta(days=DEFAULT_DAYS - 1)
    if start_day > end_day:
        raise BadFilter(f"start {start_day} is after end {end_day}")
    if (end_day - start_day).days >= MAX_DAYS:
        raise BadFilter(f"a period is at most {MAX_DAYS} days; {start_day} to {end_day} is longer")
    return Filters(
        start_day,
        end_day,
        _one_of("channel", channel, choices.get("channels") or []),
        _one_of("region", region, choices.get("regions") or []),
        _one_of("category", category, choices.get("categories") or []),
    )


def dashboards_router(
    bi: Database = BI,
    next_run: NextRun | None = None,
    limit_minutes: int = FRESHNESS_MINUTES,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> tuple[APIRouter, Marts]:
    """The pages under /dashboards/ and their endpoints under /api/dashboards/; also the marts reader."""
    marts = Marts(bi)
    router = APIRouter()

    def envelope(publication: str, build: Callable[[dict[str, Any]], Any], key: tuple | None = None) -> JSONResponse:
        """The panel's data with the state of the publication it reads; kept per ``key`` until the next one."""
        status = marts.status()
        state = describe_state(status[publication], clock(), limit_minutes, WHAT[publication])
        body: dict[str, Any] = {
            "publication": publication,
            "published_at": status[publication]["published_at"],
            "as_of": status[publication]["as_of"],
            **state,
        }
        if state["state"] == "empty":
            body["data"] = None
        elif key is None:
            body["data"] = build(status)
        else:
            body["data"] = marts.answer(key, status, lambda: build(status))
        return JSONResponse(body)

    def filtered(
        name: str, publication: str, query: dict[str, str | None], build: Callable[[Filters], Any]
    ) -> JSONResponse:
        def with_filters(status: dict[str, Any]) -> Any:
            choices = marts.choices(status["kpis"]["published_at"])
            try:
                filters = parse_filters(choices, **query)
            except BadFilter as exc:
                raise HTTPException(status_code=400, detail=str(exc)) from None
            return marts.answer((name, filters), status, lambda: {"filters": filters.as_dict(), **build(filters)})

        return envelope(publication, with_filters)

    @router.get("/dashboards/", include_in_schema=False)
    def index() -> HTMLResponse:
        links = "".join(f'<li><a href="{name}">{title}</a></li>' for name, title in PAGES.items())
        return HTMLResponse(
            f"<!doctype html><title>Dashboards</title><h1>GlobalCart 360 dashboards</h1><ul>{links}</ul>"
        )

    @router.get("/dashboards/{page}", response_class=HTMLResponse)
    def dashboard(page: str) -> HTMLResponse:
        if page not in PAGES:
            raise HTTPException(status_code=404, detail="not found")
        return HTMLResponse((STATIC_DIR / f"{page}.html").read_text())

    @router.get("/dashboards/static/{name}")
    def static(name: str) -> FileResponse:
        path = (STATIC_DIR / name).resolve()
        if path.parent != STATIC_DIR or not path.is_file() or path.suffix not in {".js", ".css", ".txt"}:
            raise HTTPException(status_code=404, detail="not found")
        return FileResponse(path, headers={"Cache-Control": "max-age=3600"})

    @router.get("/api/dashboards/status")
    def publication_status() -> dict[str, Any]:
        status = marts.status()
        now = clock()
        return {
            publication: {
                "published_at": row["published_at"],
                **describe_state(row, now, limit_minutes, WHAT[publication]),
            }
            for publication, row in status.items()
        }

    @router.get("/api/dashboards/filters")
    def filter_values() -> JSONResponse:
        return envelope("kpis", lambda status: marts.choices(status["kpis"]["published_at"]))

    @router.get("/api/dashboards/executive/tiles")
    def tiles(query: FilterQuery) -> JSONResponse:
        def build(filters: Filters) -> dict[str, Any]:
            periods = {row["period"]: row for row in marts.rows("dashboards/select_kpi_tiles.sql", filters.params())}
            definitions = {row["kpi_name"]: row for row in marts.rows("dashboards/select_kpi_definitions.sql")}
            return {
                "tiles": [
                    {
                        "kpi": kpi,
                        "label": definitions.get(kpi, {}).get("label", kpi),
                        "unit": definitions.get(kpi, {}).get("unit", ""),
                        "definition": _definition(definitions.get(kpi)),
                        "current": periods["current"][kpi],
                        "previous": periods["previous"][kpi],
                        "last_year": periods["last_year"][kpi],
                    }
                    for kpi in TILES
                ],
                "periods": {name: [row["period_from"], row["period_to"]] for name, row in periods.items()},
            }

        return filtered("tiles", "kpis", query, build)

    @router.get("/api/dashboards/executive/trend")
    def trend(query: FilterQuery) -> JSONResponse:
        def build(filters: Filters) -> dict[str, Any]:
            whole_shop = filters.channel is None and filters.region is None and filters.category is None
            return {
                "actual": marts.rows("dashboards/select_net_sales_trend.sql", filters.params()),
                # The forecast is of the whole shop's net sales; it would mislead next to a filtered series.
                "forecast": marts.rows("dashboards/select_revenue_forecast.sql") if whole_shop else [],
                "forecast_note": None
                if whole_shop
                else "The forecast is for the whole shop: clear the filters to see it.",
            }

        return filtered("trend", "kpis", query, build)

    @router.get("/api/dashboards/executive/leakage")
    def leakage(category: str | None = None) -> JSONResponse:
        def build(status: dict[str, Any]) -> dict[str, Any]:
            choices = marts.choices(status["kpis"]["published_at"])
            try:
                chosen = _one_of("category", category, choices.get("categories") or [])
            except BadFilter as exc:
                raise HTTPException(status_code=400, detail=str(exc)) from None
            return {"categories": marts.rows("dashboards/select_leakage.sql", {"category": chosen, "top": 8})}

        return envelope("analytics", build, key=("leakage", category))

    @router.get("/api/dashboards/executive/customers")
    def customers() -> JSONResponse:
        def build(_status: dict[str, Any]) -> dict[str, Any]:
            churn = marts.rows("analytics/select_churn_evidence.sql")
            return {
                "segments": marts.rows("dashboards/select_customer_segments.sql"),
                "churn": churn[0] if churn else None,
            }

        return envelope("analytics", build, key=("customers",))

    @router.get("/api/dashboards/executive/cohorts")
    def cohorts() -> JSONResponse:
        return envelope(
            "analytics",
            lambda _status: {"cells": marts.rows("dashboards/select_cohort_retention.sql", {"months": 12})},
            key=("cohorts",),
        )

    @router.get("/api/dashboards/operations/on-time")
    def on_time(query: FilterQuery) -> JSONResponse:
        def build(filters: Filters) -> dict[str, Any]:
            return {
                "matrix": marts.rows("dashboards/select_on_time_matrix.sql"),
                "trend": marts.rows("dashboards/select_on_time_trend.sql", filters.params()),
            }

        return filtered("on-time", "kpis", query, build)

    @router.get("/api/dashboards/operations/lateness-drivers")
    def lateness_drivers() -> JSONResponse:
        return envelope(
            "analytics",
            lambda _status: {"drivers": marts.rows("dashboards/select_lateness_drivers.sql", {"top": 12})},
            key=("lateness-drivers",),
        )

    @router.get("/api/dashboards/operations/payments")
    def payments(query: FilterQuery) -> JSONResponse:
        return filtered(
            "payments",
            "analytics",
            query,
            lambda filters: {"declines": marts.rows("dashboards/select_payment_declines.sql", filters.params())},
        )

    @router.get("/api/dashboards/operations/returns")
    def returns(query: FilterQuery) -> JSONResponse:
        return filtered(
            "returns",
            "analytics",
            query,
            lambda filters: {"returns": marts.rows("dashboards/select_return_timing.sql", filters.params())},
        )

    @router.get("/api/dashboards/operations/freshness")
    def freshness() -> dict[str, Any]:
        # Shown in every state: an empty or stale warehouse is exactly when on-call reads this panel.
        status = marts.status()
        now = clock()
        upcoming, note = None, f"known in Airflow: see the {INCREMENTAL_DAG} DAG's next run"
        if next_run is not None:
            try:
                upcoming = next_run()
            except Exception as exc:  # the panel still shows the rest of the freshness
                note = f"Airflow's schedule could not be read: {type(exc).__name__}: {exc}".splitlines()[0]
        quality = marts.rows("dashboards/select_latest_quality_results.sql")
        for row in quality:
            row["data_docs_link"] = data_docs_link(row.pop("data_docs"))
        return {
            "publication": "kpis",
            "published_at": status["kpis"]["published_at"],
            "as_of": status["kpis"]["as_of"],
            **describe_state(status["kpis"], now, limit_minutes, WHAT["kpis"]),
            "data": {
                "publications": {
                    publication: {**row, **describe_state(row, now, limit_minutes, WHAT[publication])}
                    for publication, row in status.items()
                },
                "watermarks": marts.rows("dashboards/select_source_watermarks.sql"),
                "next_run": _plain(upcoming),
                "next_run_note": None if upcoming else note,
                "load_runs": marts.rows("dashboards/select_recent_load_runs.sql", {"runs": 5}),
                "quality": quality,
            },
        }

    return router, marts


def data_docs_link(page: str | None) -> str | None:
    """The app's link to a check's Data Docs run (data-docs/<publication>/<run>/), from the page's path."""
    if not page:
        return None
    parts = Path(page).parts
    if len(parts) < 3 or parts[-3] not in WHAT:
        return None
    return f"data-docs/{parts[-3]}/{parts[-2]}/"


def format_value(value: float | None, unit: str) -> str:
    """A number as the pages show it (dashboards.js ``format``), for text output."""
    if value is None:
        return "–"
    if unit == "ratio":
        return f"{value:.1%}"
    if unit == "count":
        return f"{value:,.0f}"
    if unit == "days":
        return f"{value:.1f} d"
    return f"{value:,.0f}" if abs(value) >= 10_000 else f"{value:,.2f}"


def _definition(entry: dict[str, Any] | None) -> str:
    if not entry:
        return ""
    return f"{entry['label']}: {entry['formula']} (by {entry['attributed_to']})"


def next_incremental_run() -> datetime | None:
    """When Airflow will next start the incremental DAG, read from Airflow's metadata (inside Airflow only)."""
    from airflow.models.dag import DagModel
    from airflow.utils.session import create_session

    with create_session() as session:
        model = session.get(DagModel, INCREMENTAL_DAG)
        return None if model is None else model.next_dagrun_create_after
