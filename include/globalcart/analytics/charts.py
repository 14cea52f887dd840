"""Charts of the published analytics, as standalone HTML pages (Vega-Lite through Altair).

What is easier to look at than to read: the revenue forecast with its intervals, cohort
retention as a heatmap, leakage by category and driver, and on-time delivery by carrier
and fulfillment center. Each page carries the Vega libraries inline (vl-convert bundles
them), so it draws with no network: Altair's own pages fetch them from a CDN.
"""

from __future__ import annotations

from pathlib import Path

import psycopg

from globalcart import db
from globalcart.settings import LOCAL_DIR

CHARTS_DIR = LOCAL_DIR / "exports" / "analytics"
FORECAST_HISTORY_DAYS = 180


def write_charts(conn: psycopg.Connection, out_dir: Path = CHARTS_DIR) -> list[Path]:
    """Write one HTML page per chart that has data; returns the pages written."""
    import altair as alt
    import pandas as pd
    import vl_convert

    out_dir.mkdir(parents=True, exist_ok=True)
    charts = {}

    revenue = db.fetch_frame(conn, "analytics/select_revenue_chart.sql", {"history_days": FORECAST_HISTORY_DAYS})
    if len(revenue):
        revenue["period_start"] = pd.to_datetime(revenue["period_start"])  # Vega-Lite reads timestamps
        base = alt.Chart(revenue).encode(x=alt.X("period_start:T", title=None))
        bands = [
            base.mark_area(opacity=opacity, color="#4c78a8").encode(
                y=alt.Y(f"lower_{level}:Q", title="net sales per day"), y2=f"upper_{level}:Q"
            )
            for level, opacity in (("95", 0.15), ("80", 0.3))
        ]
        lines = base.mark_line().encode(
            y="net_sales:Q", color=alt.Color("series:N", title=None), tooltip=["period_start:T", "net_sales:Q"]
        )
        charts["revenue_forecast"] = alt.layer(*bands, lines).properties(
            title="Net sales: the last 180 days and the chosen forecast with 80% and 95% intervals",
            width=900,
            height=350,
        )

    cohorts = db.fetch_frame(conn, "analytics/select_cohort_chart.sql")
    if len(cohorts):
        charts["cohort_retention"] = (
            alt.Chart(cohorts)
            .mark_rect()
            .encode(
                x=alt.X("months_since_first:O", title="months since the first order"),
                y=alt.Y("cohort:O", title="acquisition cohort"),
                color=alt.Color("customer_retention_pct:Q", title="customers active", scale=alt.Scale(domain=[0, 1])),
                tooltip=["cohort", "months_since_first", "cohort_customers", "customer_retention_pct"],
            )
            .properties(title="Customer retention by monthly cohort", width=700)
        )

    leakage = db.fetch_frame(conn, "analytics/select_leakage_chart.sql")
    if len(leakage):
        charts["profit_leakage"] = (
            alt.Chart(leakage)
            .mark_bar()
            .encode(
                y=alt.Y("category:N", sort="-x", title=None),
                x=alt.X("share_of_gross:Q", title="share of the category's gross sales", axis=alt.Axis(format="%")),
                color=alt.Color("driver:N", title="driver"),
                tooltip=["category", "driver", "amount", "share_of_gross"],
            )
            .properties(title="Profit leakage by category and driver", width=700)
        )

    on_time = db.fetch_frame(conn, "analytics/select_on_time_chart.sql")
    if len(on_time):
        charts["on_time_delivery"] = (
            alt.Chart(on_time)
            .mark_rect()
            .encode(
                x=alt.X("fulfillment_center:N", title="fulfillment center"),
                y=alt.Y("carrier:N", title="carrier"),
                color=alt.Color("on_time_pct:Q", title="on time", scale=alt.Scale(scheme="redyellowgreen")),
                tooltip=["carrier", "fulfillment_center", "deliveries", "on_time_pct"],
            )
            .properties(title="On-time delivery by carrier and fulfillment center", width=400)
        )

    written = []
    for name, chart in charts.items():
        path = out_dir / f"{name}.html"
        path.write_text(vl_convert.vegalite_to_html(chart.to_dict(), bundle=True), encoding="utf-8")
        written.append(path)
    return written
