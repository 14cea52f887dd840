"""The analytics against a real PostgreSQL: the signals the generator planted are found, RFM and cohorts match an
independent computation, thin or bad data gives a published status that says why, and nothing is half-published."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pandas as pd
import psycopg
import pytest

from globalcart import db
from globalcart.analytics import build
from globalcart.errors import GlobalCartError, QualityGateBlocked
from globalcart.pipelines.analytics import run_analytics
from globalcart.quality.checks import ANALYTICS_CHECKS
from globalcart.settings import SOURCE, WAREHOUSE, Database
from globalcart.warehouse.migrations import apply_migrations
from tests.support.handmade import Order, write_orders
from tests.support.mail import Mailbox
from tests.support.stack import SOURCE_ENV, WAREHOUSE_ENV, scratch_database

ANALYTICS_TABLES = (
    "analytics_status",
    "customer_rfm",
    "rfm_segment_summary",
    "churn_rates",
    "repeat_purchase_gaps",
    "churn_evidence",
    "cohort_retention",
    "profit_leakage",
    "leakage_top_categories",
    "sla_on_time",
    "sla_lateness_drivers",
    "forecast_backtest",
    "revenue_forecast",
)
# Columns that say when and by which run a row was written, not what it says.
RUN_COLUMNS = {"run_id", "computed_at"}


def query(warehouse: Database, statement: str, params: tuple | dict | None = None) -> list[tuple]:
    with psycopg.connect(warehouse.uri) as conn:
        cur = conn.execute(statement, params)
        return cur.fetchall() if cur.description else []


def published(warehouse: Database) -> dict[str, list[tuple]]:
    """Every published analytics table's rows, without the run's id and time."""
    tables = {}
    with psycopg.connect(warehouse.uri) as conn:
        for table in ANALYTICS_TABLES:
            cur = conn.execute(f"select * from marts.{table}")  # noqa: S608 - names from the list above
            keep = [i for i, column in enumerate(cur.description) if column.name not in RUN_COLUMNS]
            tables[table] = sorted((tuple(row[i] for i in keep) for row in cur.fetchall()), key=repr)
    return tables


def statuses(warehouse: Database) -> dict[str, tuple[str, str]]:
    rows = query(warehouse, "select analysis, status, reason from marts.analytics_status")
    return {analysis: (status, reason) for analysis, status, reason in rows}


# --------------------------------------------------------------------------- planted signals


@pytest.fixture(scope="module")
def planted(server_uri: str) -> Iterator[tuple[Database, dict, list]]:
    """Two years of generated shop, loaded, published, and analysed once."""
    from globalcart.pipelines.incremental import run_incremental
    from globalcart.source.history import load_history

    alerts: list = []
    with (
        scratch_database(server_uri) as source_uri,
        scratch_database(server_uri) as warehouse_uri,
        pytest.MonkeyPatch.context() as patch,
    ):
        patch.setenv(SOURCE_ENV, source_uri)
        patch.setenv(WAREHOUSE_ENV, warehouse_uri)
        manifest = load_history(order_lines=60_000, days=730, end_date=datetime.now(UTC).date(), seed=5)
        source, warehouse = SOURCE.at(source_uri), WAREHOUSE.at(warehouse_uri)
        assert run_incremental(source=source, warehouse=warehouse, send_alert=lambda *a: alerts.append(a)).published
        run_analytics(warehouse, "analytics:planted", send_alert=lambda *a: alerts.append(a))
        yield warehouse, manifest, alerts


def test_every_analysis_runs_and_passes_the_gate(planted: tuple[Database, dict, list]) -> None:
    warehouse, _, alerts = planted
    assert {analysis: status for analysis, (status, _) in statuses(warehouse).items()} == dict.fromkeys(
        build.ANALYSES, "ok"
    )
    results = query(
        warehouse, "select check_name, success from audit.quality_results where run_id = 'analytics:planted'"
    )
    assert sorted(results) == sorted((check.name, True) for check in ANALYTICS_CHECKS)
    assert query(
        warehouse, "select outcome, publication from audit.publications where run_id = 'analytics:planted'"
    ) == [("published", "analytics")]
    assert alerts == []


def test_the_top_leakage_category_is_the_one_planted(planted: tuple[Database, dict, list]) -> None:
    warehouse, manifest, _ = planted
    ((top,),) = query(warehouse, "select category from marts.leakage_top_categories where leakage_rank = 1")
    assert (
        top
        == manifest["realised"]["highest_leakage_category"]
        == manifest["ground_truth"]["highest_return_rate_category"]
    )


def test_the_worst_carrier_and_center_pair_is_the_one_planted(planted: tuple[Database, dict, list]) -> None:
    warehouse, manifest, _ = planted
    ((carrier, center, on_time),) = query(
        warehouse,
        """select carrier, fulfillment_center, on_time_pct from marts.sla_on_time
           where dimension_name = 'carrier_fulfillment_center' and worst_rank = 1""",
    )
    worst = manifest["realised"]["worst_on_time_pair"]
    planted_pair = manifest["ground_truth"]["late_pair"]
    assert (carrier, center) == (worst["carrier"], worst["fulfillment_center"])
    assert (carrier, center) == (planted_pair["carrier"], planted_pair["fulfillment_center"])
    assert float(on_time) == pytest.approx(worst["on_time_rate"], abs=0.03)
    # The regression blames the same carrier and center: both raise the odds of lateness, clearly.
    drivers = dict(
        (term, (float(odds), float(p)))
        for term, odds, p in query(warehouse, "select term, odds_ratio, p_value from marts.sla_lateness_drivers")
    )
    for term in (f"carrier[{carrier}]", f"fulfillment_center[{center}]"):
        odds_ratio, p_value = drivers[term]
        assert odds_ratio > 1.5 and p_value < 0.001, (term, odds_ratio, p_value)


def test_churn_and_its_evidence_are_close_to_the_generators_truth(planted: tuple[Database, dict, list]) -> None:
    warehouse, manifest, _ = planted
    ((churn_rate, share_within, window),) = query(
        warehouse, "select churn_rate, share_within_window, churn_window_days from marts.churn_evidence"
    )
    realised = manifest["realised"]
    assert window == 90
    assert float(churn_rate) == pytest.approx(realised["churn_90d_rate"], abs=0.02)
    assert float(share_within) == pytest.approx(realised["repeat_within_90d_share"], abs=0.01)
    ((overall,),) = query(warehouse, "select churn_rate from marts.churn_rates where dimension_name = 'all'")
    assert overall == churn_rate
    # Every cut covers every customer once.
    for dimension, customers in query(
        warehouse, "select dimension_name, sum(customers) from marts.churn_rates group by dimension_name"
    ):
        assert customers == query(warehouse, "select count(*) from marts.customer_rfm")[0][0], dimension


def test_the_chosen_forecast_beats_seasonal_naive(planted: tuple[Database, dict, list]) -> None:
    warehouse, _, _ = planted
    backtest = {
        model: (float(mase), chosen)
        for model, mase, chosen in query(warehouse, "select model, mase, is_chosen from marts.forecast_backtest")
    }
    assert set(backtest) == {"sarimax", "baseline_regression", "seasonal_naive"}
    (chosen,) = [model for model, (_, is_chosen) in backtest.items() if is_chosen]
    assert chosen != "seasonal_naive"
    assert backtest[chosen][0] < backtest["seasonal_naive"][0]
    assert backtest[chosen][0] == min(mase for mase, _ in backtest.values())
    ((days, first, last),) = query(
        warehouse, "select count(*), min(period_start), max(period_start) from marts.revenue_forecast where is_chosen"
    )
    ((as_of,),) = query(warehouse, "select as_of from marts.churn_evidence")
    assert (days, first, last) == (90, as_of + timedelta(days=1), as_of + timedelta(days=90))


def test_the_charts_show_the_published_numbers(planted: tuple[Database, dict, list], tmp_path) -> None:
    import json
    import re

    from globalcart.analytics.charts import write_charts

    warehouse, _, _ = planted
    with db.connect(warehouse) as conn:
        pages = write_charts(conn, tmp_path)
    assert sorted(page.name for page in pages) == [
        "cohort_retention.html",
        "on_time_delivery.html",
        "profit_leakage.html",
        "revenue_forecast.html",
    ]
    specs = {}
    for page in pages:
        (spec,) = re.findall(r"const spec = (\{.*?\});\n", page.read_text(), flags=re.S)
        specs[page.stem] = json.loads(spec)

    def rows(name: str) -> list[dict]:
        return [row for dataset in specs[name]["datasets"].values() for row in dataset]

    ((chosen, forecast_total),) = query(
        warehouse, "select model, sum(forecast)::float8 from marts.revenue_forecast where is_chosen group by model"
    )
    forecast_rows = [r for r in rows("revenue_forecast") if r["series"] == f"forecast ({chosen})"]
    assert len(forecast_rows) == 90
    assert sum(r["net_sales"] for r in forecast_rows) == pytest.approx(forecast_total)
    worst = min(rows("on_time_delivery"), key=lambda r: r["on_time_pct"])
    assert query(
        warehouse,
        "select carrier, fulfillment_center from marts.sla_on_time where dimension_name = 'carrier_fulfillment_center'"
        " and worst_rank = 1",
    ) == [(worst["carrier"], worst["fulfillment_center"])]
    assert len(rows("cohort_retention")) == query(warehouse, "select count(*) from marts.cohort_retention")[0][0]


def test_the_charts_draw_offline(planted: tuple[Database, dict, list], tmp_path) -> None:
    """Each page carries Vega, Vega-Lite and vega-embed itself: no script or stylesheet comes from a CDN."""
    from html.parser import HTMLParser

    from globalcart.analytics.charts import write_charts

    class Tags(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.sources: list[str] = []  # src of scripts, href of links
            self.inline: list[str] = []  # the text of scripts without a src
            self._in_script = False

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            found = dict(attrs)
            if tag == "script" and found.get("src"):
                self.sources.append(found["src"])
            elif tag == "script":
                self._in_script = True
                self.inline.append("")
            elif tag == "link" and found.get("href"):
                self.sources.append(found["href"])

        def handle_endtag(self, tag: str) -> None:
            if tag == "script":
                self._in_script = False

        def handle_data(self, data: str) -> None:
            if self._in_script:
                self.inline[-1] += data

    warehouse, _, _ = planted
    with db.connect(warehouse) as conn:
        pages = write_charts(conn, tmp_path)
    assert len(pages) == 4
    for page in pages:
        tags = Tags()
        tags.feed(page.read_text(encoding="utf-8"))
        assert [src for src in tags.sources if src.lower().startswith(("http://", "https://", "//"))] == [], page.name
        bundle = "".join(tags.inline)
        for defined in ("window.vegaEmbed=", "window.vega=", "window.vegaLite="):
            assert defined in bundle, (page.name, defined)
        assert len(bundle) > 500_000, page.name  # the libraries themselves, not a loader


def test_analysing_again_gives_the_same_tables(planted: tuple[Database, dict, list]) -> None:
    warehouse, _, _ = planted
    before = published(warehouse)
    ((as_of,),) = query(warehouse, "select as_of from marts.churn_evidence")
    run_analytics(warehouse, "analytics:again", as_of=as_of, send_alert=lambda *a: None)
    assert published(warehouse) == before


# --------------------------------------------------------------------------- hand-made: RFM and cohorts

AS_OF = date(2026, 6, 30)


def d(text: str) -> date:
    return date.fromisoformat(text)


HAND_MADE = [
    # customer 1: frequent, recent, big spender
    Order(1, 101, d("2026-01-10"), 200),
    Order(1, 102, d("2026-03-05"), 150),
    Order(1, 103, d("2026-06-28"), 300),
    # customer 2: two orders, one returned
    Order(2, 201, d("2026-01-20"), 80),
    Order(2, 202, d("2026-02-25"), 120, returned=True),
    # customers 3 and 4: the same single order value (a tie in F and M)
    Order(3, 301, d("2026-02-01"), 60),
    Order(4, 401, d("2026-04-15"), 60),
    # customer 5: cancelled order only -> not a customer
    Order(5, 501, d("2026-05-01"), 500, cancelled=True),
    # customer 6: two orders in one month, then another two months later
    Order(6, 601, d("2026-03-02"), 40),
    Order(6, 602, d("2026-03-20"), 45),
    Order(6, 603, d("2026-05-11"), 90),
    # customer 7: recent newcomer, plus a cancelled order that must not count
    Order(7, 701, d("2026-06-20"), 75),
    Order(7, 702, d("2026-06-25"), 999, cancelled=True),
    # customer 8: old single order
    Order(8, 801, d("2026-01-03"), 30),
    # an order after the as-of date does not count
    Order(8, 802, d("2026-07-05"), 500),
]


def independent_rfm(orders: list[Order], as_of: date) -> pd.DataFrame:
    """RFM the textbook way in pandas: percent rank with ties at their lowest rank, 5 buckets."""
    kept = pd.DataFrame(
        [
            {"customer_id": o.customer_id, "day": pd.Timestamp(o.day), "net": 0.0 if o.returned else o.net}
            for o in orders
            if not o.cancelled and o.day <= as_of
        ]
    )
    per = kept.groupby("customer_id").agg(last=("day", "max"), frequency=("day", "size"), monetary=("net", "sum"))
    per["recency_days"] = (pd.Timestamp(as_of) - per["last"]).dt.days
    n = len(per)

    def score(values: pd.Series) -> pd.Series:
        percent_rank = (values.rank(method="min") - 1) / (n - 1)
        return (1 + (5 * percent_rank).apply(math.floor)).clip(upper=5)

    per["r_score"] = score(-per["recency_days"])
    per["f_score"] = score(per["frequency"])
    per["m_score"] = score(per["monetary"])
    return per


def independent_cohorts(orders: list[Order], as_of: date) -> pd.DataFrame:
    kept = pd.DataFrame(
        [
            {"customer_id": o.customer_id, "month": o.day.replace(day=1), "net": 0.0 if o.returned else o.net}
            for o in orders
            if not o.cancelled and o.day <= as_of
        ]
    )
    first = kept.groupby("customer_id")["month"].min().rename("cohort")
    kept = kept.join(first, on="customer_id")
    kept["k"] = [(m.year - c.year) * 12 + m.month - c.month for m, c in zip(kept["month"], kept["cohort"], strict=True)]
    size = first.value_counts()
    active = kept.groupby(["cohort", "k"])["customer_id"].nunique()
    revenue = kept.groupby(["cohort", "k"])["net"].sum()
    rows = {}
    for cohort in size.index:
        months = (as_of.year - cohort.year) * 12 + as_of.month - cohort.month
        for k in range(months + 1):
            rows[(cohort, k)] = (
                active.get((cohort, k), 0) / size[cohort],
                revenue.get((cohort, k), 0.0) / revenue[(cohort, 0)],
            )
    return pd.DataFrame.from_dict(rows, orient="index", columns=["customer_pct", "revenue_pct"])


@pytest.fixture
def hand_made(fresh_database: str) -> Database:
    write_orders(fresh_database, HAND_MADE)
    warehouse = WAREHOUSE.at(fresh_database)
    with db.connect(warehouse) as conn:
        build.prepare(conn, "analytics:hand", AS_OF, 30)
        build.build_retention(conn, "analytics:hand")
    return warehouse


def test_rfm_scores_match_an_independent_computation(hand_made: Database) -> None:
    got = {
        row[0]: row[1:]
        for row in query(
            hand_made,
            """select customer_id, recency_days, frequency, monetary, r_score, f_score, m_score
               from candidate.customer_rfm""",
        )
    }
    expected = independent_rfm(HAND_MADE, AS_OF)
    assert sorted(got) == sorted(expected.index) == [1, 2, 3, 4, 6, 7, 8]
    for customer, row in expected.iterrows():
        recency, frequency, monetary, r, f, m = got[customer]
        assert (recency, frequency, float(monetary)) == (row.recency_days, row.frequency, row.monetary), customer
        assert (r, f, m) == (row.r_score, row.f_score, row.m_score), customer
    # Read by hand: customer 1 is the best on all three; ties share a score.
    assert got[1][3:] == (5, 5, 5)
    assert got[3][4:] == got[4][4:]
    assert got[8][3] == 1  # the longest since the last order
    ((segment,),) = query(hand_made, "select segment from candidate.customer_rfm where customer_id = 1")
    assert segment == "Champions"


def test_cohort_percentages_match_an_independent_computation(hand_made: Database) -> None:
    got = {
        (cohort, k): (float(customer_pct), None if revenue_pct is None else float(revenue_pct))
        for cohort, k, customer_pct, revenue_pct in query(
            hand_made,
            """select cohort_month, months_since_first, customer_retention_pct, revenue_retention_pct
               from candidate.cohort_retention""",
        )
    }
    expected = independent_cohorts(HAND_MADE, AS_OF)
    assert set(got) == set(expected.index)
    for key, row in expected.iterrows():
        assert got[key][0] == pytest.approx(row.customer_pct, abs=1e-6), key
        assert got[key][1] == pytest.approx(row.revenue_pct, abs=1e-6), key
    assert got[(d("2026-03-01"), 0)] == (1.0, 1.0)  # customer 6 alone: two orders in the first month count once


def test_customers_with_only_cancelled_orders_are_counted_apart(hand_made: Database) -> None:
    ((only_cancelled, customers),) = query(
        hand_made, "select customers_only_cancelled, customers from candidate.churn_evidence"
    )
    assert (only_cancelled, customers) == (1, 7)


def independent_churn_windows(orders: list[Order], as_of: date) -> dict[tuple[int, date], tuple[int, int, int]]:
    """Per window and earlier as-of date: customers by then, those the window calls churned, those who came back."""
    kept = [o for o in orders if not o.cancelled and o.day <= as_of]
    first = min(o.day for o in kept)
    found = {}
    for window in (30, 60, 90, 120, 180, 365):
        for n in range(1, 13):
            checked = as_of - timedelta(days=30 * n)
            if checked < first + timedelta(days=window):
                continue
            last = {}
            for o in kept:
                if o.day <= checked:
                    last[o.customer_id] = max(last.get(o.customer_id, o.day), o.day)
            called = {c for c, day in last.items() if (checked - day).days > window}
            back = {c for c in called if any(o.customer_id == c and o.day > checked for o in kept)}
            found[(window, checked)] = (len(last), len(called), len(back))
    return found


def test_the_churn_window_is_tried_at_earlier_dates_as_an_independent_count_says(hand_made: Database) -> None:
    got = {
        (window, checked): (customers, called, back)
        for window, checked, customers, called, back in query(
            hand_made,
            """select churn_window_days, checked_as_of, customers, called_churned, came_back
               from candidate.churn_window_backtest""",
        )
    }
    expected = independent_churn_windows(HAND_MADE, AS_OF)
    assert got == expected
    # Read by hand: at 2026-05-31 the 90-day rule calls customers 2, 3 and 8 churned (last orders
    # on Feb 25, Feb 1 and Jan 3); none ordered again by June 30. The 30-day rule also calls 1 and 4
    # (not 6, who ordered on May 11); only 1 came back (June 28).
    assert expected[(90, d("2026-05-31"))] == (6, 3, 0)
    assert expected[(30, d("2026-05-31"))] == (6, 5, 1)

    ((suggested, came_back_share),) = query(
        hand_made, "select suggested_window_days, came_back_share from candidate.churn_evidence"
    )
    gaps = []
    for customer in {o.customer_id for o in HAND_MADE}:
        days = sorted(o.day for o in HAND_MADE if o.customer_id == customer and not o.cancelled and o.day <= AS_OF)
        gaps += [(b - a).days for a, b in zip(days, days[1:], strict=False)]
    assert suggested == math.ceil(pd.Series(gaps).quantile(0.9))
    called_90 = sum(v[1] for (window, _), v in expected.items() if window == 90)
    back_90 = sum(v[2] for (window, _), v in expected.items() if window == 90)
    assert float(came_back_share) == pytest.approx(back_90 / called_90, abs=1e-6)


# --------------------------------------------------------------------------- bad input


def analyse(uri: str, as_of: date | None = None, mailbox_alerts: list | None = None) -> Database:
    warehouse = WAREHOUSE.at(uri)
    alerts = [] if mailbox_alerts is None else mailbox_alerts
    run_analytics(warehouse, "analytics:thin", as_of=as_of, send_alert=lambda *a: alerts.append(a))
    return warehouse


def test_an_empty_warehouse_publishes_empty_tables_that_say_why(fresh_database: str) -> None:
    with psycopg.connect(fresh_database) as conn:
        apply_migrations(conn)
    warehouse = analyse(fresh_database)
    assert statuses(warehouse) == {analysis: ("skipped", build.NO_ORDERS) for analysis in build.ANALYSES} | {
        "revenue_forecast": ("skipped", f"forecast skipped: {build.NO_ORDERS}")
    }
    tables = published(warehouse)
    assert all(rows == [] for table, rows in tables.items() if table != "analytics_status")


def test_a_single_day_scores_customers_but_skips_churn_and_the_forecast(fresh_database: str) -> None:
    write_orders(fresh_database, [Order(1, 1, d("2026-06-30"), 50), Order(2, 2, d("2026-06-30"), 70)])
    warehouse = analyse(fresh_database, as_of=d("2026-06-30"))
    got = statuses(warehouse)
    assert got["rfm"][0] == got["cohorts"][0] == got["profit_leakage"][0] == "ok"
    assert got["churn"][0] == "skipped" and "fewer than the 90-day churn window" in got["churn"][1]
    assert got["revenue_forecast"][0] == "skipped" and "1 day" in got["revenue_forecast"][1]
    assert got["sla_on_time"] == got["lateness_drivers"] == ("skipped", "no parcel delivered by 2026-06-30")
    assert query(warehouse, "select count(*) from marts.churn_rates") == [(0,)]
    assert query(warehouse, "select count(*) from marts.customer_rfm") == [(2,)]


def test_customers_with_only_cancelled_orders_skip_retention_with_a_reason(fresh_database: str) -> None:
    write_orders(
        fresh_database,
        [Order(1, 1, d("2026-06-01"), 50, cancelled=True), Order(2, 2, d("2026-06-02"), 9, cancelled=True)],
    )
    warehouse = analyse(fresh_database, as_of=d("2026-06-30"))
    got = statuses(warehouse)
    for analysis in ("rfm", "churn", "cohorts"):
        assert got[analysis][0] == "skipped"
        assert "2 customers with only cancelled orders" in got[analysis][1]
    assert query(warehouse, "select customers, customers_only_cancelled from marts.churn_evidence") == [(0, 2)]


def test_a_series_too_short_for_seasonal_arima_gets_a_simpler_model(fresh_database: str) -> None:
    start = d("2026-06-01")
    write_orders(
        fresh_database, [Order(i % 7 + 1, i + 1, start + timedelta(days=i), 50 + 10 * (i % 7)) for i in range(30)]
    )
    warehouse = analyse(fresh_database, as_of=d("2026-06-30"))
    status, reason = statuses(warehouse)["revenue_forecast"]
    assert status == "simplified", reason
    assert "sarimax" in reason.lower() or "seasonal" in reason.lower()
    models = {model for (model,) in query(warehouse, "select distinct model from marts.revenue_forecast")}
    assert "sarimax" not in models and models
    ((chosen_days,),) = query(warehouse, "select count(*) from marts.revenue_forecast where is_chosen")
    assert chosen_days == 90


# --------------------------------------------------------------------------- never half-published


def test_an_unfinished_build_publishes_nothing(hand_made: Database) -> None:
    before = published(hand_made)
    with db.connect(hand_made) as conn:
        with pytest.raises(GlobalCartError, match="has not built .*profit_leakage.*: nothing was published"):
            build.publish(conn, "analytics:hand")
        with pytest.raises(GlobalCartError, match="belong to run analytics:hand, not analytics:other"):
            build.publish(conn, "analytics:other")
    assert published(hand_made) == before


def test_a_failed_analytics_check_blocks_publication_and_alerts(hand_made: Database, mailbox: Mailbox) -> None:
    from globalcart.quality.decision import decide

    with db.connect(hand_made) as conn:
        build.build_profit_leakage(conn, "analytics:hand")
        build.build_sla_drivers(conn, "analytics:hand")
        build.build_forecast(conn, "analytics:hand")
    query(hand_made, "update candidate.customer_rfm set r_score = 7 where customer_id = 1")
    before = published(hand_made)
    results = build.run_analytics_checks(hand_made, "analytics:hand")
    assert [r.name for r in results if r.failed] == ["rfm_r_score_is_1_to_5"]
    with db.connect(hand_made) as conn, pytest.raises(QualityGateBlocked, match="analytics not published"):
        decide(conn, "analytics:hand", results, publication="analytics")
    assert published(hand_made) == before
    assert mailbox.subjects() == [
        "[GlobalCart 360] Data quality: 1 critical check failed, analytics NOT published (run analytics:hand)"
    ]
    assert "rfm_r_score_is_1_to_5" in mailbox.html()
    assert query(hand_made, "select outcome, publication from audit.publications where run_id = 'analytics:hand'") == [
        ("blocked", "analytics")
    ]


def test_declines_and_returns_that_do_not_add_up_are_refused(hand_made: Database) -> None:
    with db.connect(hand_made) as conn:
        build.build_profit_leakage(conn, "analytics:hand")
        build.build_sla_drivers(conn, "analytics:hand")
        build.build_forecast(conn, "analytics:hand")
    results = {r.name: r for r in build.run_analytics_checks(hand_made, "analytics:hand")}
    assert not results["payment_declines_add_up"].failed and not results["return_timing_adds_up"].failed
    # The hand-made shop has no payments: a whole-shop row that no member row backs.
    query(
        hand_made,
        "insert into candidate.payment_declines values ('any', 'any', %s, 'card', 'stripe', 3, 1, 25.00)",
        (AS_OF,),
    )
    # Nor returns: the same for a return.
    query(
        hand_made,
        "insert into candidate.return_timing values ('any', 'any', 'any', %s, 'damaged', '0-7 days', 1, 1, 1, 10.00)",
        (AS_OF,),
    )
    results = {r.name: r for r in build.run_analytics_checks(hand_made, "analytics:hand")}
    assert results["payment_declines_add_up"].failed and results["payment_declines_add_up"].unexpected_count == 1
    assert results["return_timing_adds_up"].failed and results["return_timing_adds_up"].unexpected_count == 1
