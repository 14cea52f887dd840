"""The published KPI pack as an Excel workbook, for the people who live in spreadsheets.

It reads the published tables (the same numbers BI tools read), one sheet per
view of them, plus the catalog saying what each column means.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from globalcart import db, publications
from globalcart.errors import GlobalCartError
from globalcart.marts.catalog import CATALOG, GRAIN_COLUMNS
from globalcart.settings import WAREHOUSE, Database

DIMENSIONS = ("category", "region", "channel", "carrier", "fulfillment_center")
# The catalog's unit decides a column's format, not the type its values happen to have.
NUMBER_FORMATS = {"ratio": "0.0%", "count": "#,##0", "currency": "#,##0.00", "days": "0.00"}
KPI_FORMATS = {kpi.name: NUMBER_FORMATS[kpi.unit] for kpi in CATALOG}


@dataclass(frozen=True)
class ExportSummary:
    path: Path
    run_id: str
    sheets: dict[str, int]  # sheet name -> rows


def _frame(conn, sql_file: str):
    import pandas as pd

    frame = db.fetch_frame(conn, sql_file)
    for column in frame.columns:
        if column not in GRAIN_COLUMNS and frame[column].dtype == object:
            frame[column] = pd.to_numeric(frame[column])  # Decimal -> float, for Excel
    return frame


def export_kpi_pack(path: Path, warehouse: Database = WAREHOUSE) -> ExportSummary:
    import pandas as pd
    import psycopg

    with db.connect(warehouse) as conn:
        try:
            last = publications.last_published(conn, publications.KPIS)
        except psycopg.errors.UndefinedTable:
            last = None
        if last is None:
            raise GlobalCartError("no KPI pack has been published yet: run the incremental load first")
        run_id, published_at = last.run_id, last.decided_at
        kpis = _frame(conn, "export/select_published_kpis.sql")
        catalog = _frame(conn, "export/select_kpi_catalog.sql")

    kpi_columns = [column for column in kpis.columns if column not in GRAIN_COLUMNS]
    sheets: dict[str, pd.DataFrame] = {}
    whole_shop = kpis[kpis.dimension_name == "all"]
    sheets["Daily"] = whole_shop[whole_shop.grain == "day"][["period_start", *kpi_columns]]
    sheets["Monthly"] = whole_shop[whole_shop.grain == "month"][["period_start", *kpi_columns]]
    monthly = kpis[kpis.grain == "month"]
    for dimension in DIMENSIONS:
        rows = monthly[monthly.dimension_name == dimension][["period_start", "dimension_value", *kpi_columns]]
        sheets[f"Monthly by {dimension.replace('_', ' ')}"] = rows.rename(columns={"dimension_value": dimension})
    about = pd.DataFrame(
        {
            "": ["Published by run", "Published at (UTC)", "Source", "Reading it"],
            "GlobalCart 360 KPI pack": [
                run_id,
                published_at.strftime("%Y-%m-%d %H:%M"),
                "marts.kpi_daily and marts.kpi_monthly, defined once in kpi.kpi_values",
                "Blank cells: the KPI does not apply to that cut (payments by category, say). See Catalog.",
            ],
        }
    )

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        about.to_excel(writer, sheet_name="About", index=False)
        catalog.to_excel(writer, sheet_name="Catalog", index=False)
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name, index=False, freeze_panes=(1, 1))
            _format(writer.sheets[name], list(frame.columns))
        for name in ("About", "Catalog"):
            for column in writer.sheets[name].columns:
                writer.sheets[name].column_dimensions[column[0].column_letter].width = 60 if name == "About" else 40
    return ExportSummary(path, run_id, {name: len(frame) for name, frame in sheets.items()})


def _format(sheet, columns: list[str]) -> None:
    """Number formats by the catalog's unit, readable widths, and a filter on every column."""
    for index, column in enumerate(columns, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = max(12, min(len(column) + 2, 30))
        number_format = KPI_FORMATS.get(column)
        if number_format:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = number_format
    sheet.auto_filter.ref = sheet.dimensions
