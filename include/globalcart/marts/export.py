"""The published KPI pack as an Excel workbook, for the people who live in spreadsheets.

It reads the published tables (the same numbers BI tools read), one sheet per
view of them, plus the catalog saying what each column means. Once the analytics
have been published, one sheet per published analytics table follows the KPIs.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from globalcart import db, publications
from globalcart.errors import GlobalCartError
from globalcart.marts.catalog import CATALOG, GRAIN_COLUMNS
from globalcart.settings import WAREHOUSE, Database

DIMENSIONS = ("category", "region", "channel", "carrier", "fulfillment_center")
# The catalog's unit decides a column's format, not the type its values happen to have.
NUMBER_FORMATS = {"ratio": "0.0%", "count": "#,##0", "currency": "#,##0.00", "days": "0.00"}
KPI_FORMATS = {kpi.name: NUMBER_FORMATS[kpi.unit] for kpi in CATALOG}

log = logging.getLogger(__name__)

# One sheet per published analytics table, in the order a reader meets them.
ANALYTICS_SHEETS = {
    "RFM segments": "export/select_rfm_segments.sql",
    "Churn": "export/select_churn_rates.sql",
    "Churn evidence": "export/select_churn_evidence.sql",
    "Cohort retention": "export/select_cohort_retention.sql",
    "Profit leakage": "export/select_profit_leakage.sql",
    "Leakage top categories": "export/select_leakage_top_categories.sql",
    "SLA on time": "export/select_sla_on_time.sql",
    "SLA lateness drivers": "export/select_sla_lateness_drivers.sql",
    "Forecast vs actuals": "export/select_forecast_vs_actuals.sql",
}
# The analytics have no catalog: their columns' units, by name (the same name means the same unit everywhere).
ANALYTICS_UNITS = {
    "ratio": (
        "share_of_customers", "share_of_monetary", "churn_rate", "share_within_window", "came_back_share",
        "customer_retention_pct", "revenue_retention_pct", "leakage_pct_of_gross", "refund_pct_of_gross",
        "on_time_pct",
    ),
    "count": (
        "customers", "churned_customers", "repeat_purchases", "customers_only_cancelled", "cohort_customers",
        "active_customers", "deliveries", "on_time_deliveries",
    ),
    "currency": (
        "average_monetary", "total_monetary", "net_sales", "gross_sales", "discounts", "refunds",
        "refunds_after_late_delivery", "shipping_cost", "declined_payments", "total_leakage",
        "largest_driver_amount", "forecast", "lower_80", "upper_80", "lower_95", "upper_95", "actual_net_sales",
        "actual_minus_forecast",
    ),
    "days": (
        "average_recency_days", "median_gap_days", "p75_gap_days", "p90_gap_days", "p95_gap_days",
        "average_days_late",
    ),
}  # fmt: skip
# Orders per customer and the lateness model's statistics: small numbers whose third decimal matters.
STATISTIC_FORMATS = dict.fromkeys(
    ("average_frequency", "coefficient", "std_error", "odds_ratio", "odds_ratio_lower_95", "odds_ratio_upper_95"),
    "0.000",
) | {"p_value": "0.0000"}
ANALYTICS_FORMATS = {
    column: NUMBER_FORMATS[unit] for unit, columns in ANALYTICS_UNITS.items() for column in columns
} | STATISTIC_FORMATS
NO_ANALYTICS = "analytics sheets left out: no analytics have been published yet (make analytics publishes them)"


@dataclass(frozen=True)
class ExportSummary:
    path: Path
    run_id: str
    sheets: dict[str, int]  # sheet name -> rows
    analytics_run_id: str | None = None  # None: no analytics published yet, so no analytics sheets


def _frame(conn, sql_file: str):
    import pandas as pd

    frame = db.fetch_frame(conn, sql_file)
    for column in frame.columns:
        if column not in GRAIN_COLUMNS and frame[column].dtype == object:
            frame[column] = pd.to_numeric(frame[column])  # Decimal -> float, for Excel
    return frame


def _analytics_frame(conn, sql_file: str):
    """An analytics table as Excel takes it: numeric columns as floats, text and dates as they are."""
    import pandas as pd

    frame = db.fetch_frame(conn, sql_file)
    for column in frame.columns:
        values = frame[column].dropna()
        if len(values) and all(isinstance(value, Decimal) for value in values):
            frame[column] = pd.to_numeric(frame[column])
    return frame


def export_kpi_pack(path: Path, warehouse: Database = WAREHOUSE) -> ExportSummary:
    import pandas as pd
    import psycopg

    with db.connect(warehouse) as conn:
        # One snapshot for every read: the runs About names are the runs whose rows the sheets hold, even when
        # a publication lands while the pack is read.
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        try:
            last = publications.last_published(conn, publications.KPIS)
        except psycopg.errors.UndefinedTable:
            last = None
        if last is None:
            raise GlobalCartError("no KPI pack has been published yet: run the incremental load first")
        run_id, published_at = last.run_id, last.decided_at
        kpis = _frame(conn, "export/select_published_kpis.sql")
        catalog = _frame(conn, "export/select_kpi_catalog.sql")
        analytics = publications.last_published(conn, publications.ANALYTICS)
        analytics_sheets = {}
        if analytics is None:
            log.info(NO_ANALYTICS)
        else:
            analytics_sheets = {name: _analytics_frame(conn, sql_file) for name, sql_file in ANALYTICS_SHEETS.items()}
            ((analytics_as_of,),) = db.fetch_all(conn, "export/select_analytics_as_of.sql")
            statuses = db.fetch_all(conn, "analytics/select_published_statuses.sql")

    kpi_columns = [column for column in kpis.columns if column not in GRAIN_COLUMNS]
    sheets: dict[str, pd.DataFrame] = {}
    whole_shop = kpis[kpis.dimension_name == "all"]
    sheets["Daily"] = whole_shop[whole_shop.grain == "day"][["period_start", *kpi_columns]]
    sheets["Monthly"] = whole_shop[whole_shop.grain == "month"][["period_start", *kpi_columns]]
    monthly = kpis[kpis.grain == "month"]
    for dimension in DIMENSIONS:
        rows = monthly[monthly.dimension_name == dimension][["period_start", "dimension_value", *kpi_columns]]
        sheets[f"Monthly by {dimension.replace('_', ' ')}"] = rows.rename(columns={"dimension_value": dimension})
    about_rows = {
        "Published by run": run_id,
        "Published at (UTC)": published_at.strftime("%Y-%m-%d %H:%M"),
        "Source": "marts.kpi_daily and marts.kpi_monthly, defined once in kpi.kpi_values",
        "Reading it": "Blank cells: the KPI does not apply to that cut (payments by category, say). See Catalog.",
    }
    if analytics is None:
        about_rows["Analytics"] = "Not published yet: this pack has no analytics sheets."
    else:
        about_rows |= {
            "Analytics published by run": analytics.run_id,
            "Analytics published at (UTC)": analytics.decided_at.strftime("%Y-%m-%d %H:%M"),
            "Analytics as of": analytics_as_of.isoformat() if analytics_as_of else "",
            "Analytics source": "marts: one sheet per published analytics table (docs/analytics.md says what each is)",
            "Reading the forecast": "actual_net_sales: the day's published net sales, blank until the day is closed.",
        }
        # An empty sheet is an analysis that did not run on this data; its status says why.
        about_rows |= {f"Analysis {analysis}": f"{status}: {reason}" for analysis, status, reason, _ in statuses}
    about = pd.DataFrame({"": list(about_rows), "GlobalCart 360 KPI pack": list(about_rows.values())})

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        about.to_excel(writer, sheet_name="About", index=False)
        catalog.to_excel(writer, sheet_name="Catalog", index=False)
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name, index=False, freeze_panes=(1, 1))
            _format(writer.sheets[name], list(frame.columns), KPI_FORMATS)
        for name, frame in analytics_sheets.items():
            # An analysis that was skipped publishes no rows: no frozen pane, whose cell would read as a row.
            frame.to_excel(writer, sheet_name=name, index=False, freeze_panes=(1, 1) if len(frame) else None)
            _format(writer.sheets[name], list(frame.columns), ANALYTICS_FORMATS)
        for name in ("About", "Catalog"):
            for column in writer.sheets[name].columns:
                writer.sheets[name].column_dimensions[column[0].column_letter].width = 60 if name == "About" else 40
    rows = {name: len(frame) for name, frame in (sheets | analytics_sheets).items()}
    return ExportSummary(path, run_id, rows, analytics.run_id if analytics else None)


def _format(sheet, columns: list[str], formats: dict[str, str]) -> None:
    """Number formats by the column's unit, readable widths, and a filter on every column."""
    for index, column in enumerate(columns, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = max(12, min(len(column) + 2, 30))
        number_format = formats.get(column)
        if number_format:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = number_format
    sheet.auto_filter.ref = sheet.dimensions
