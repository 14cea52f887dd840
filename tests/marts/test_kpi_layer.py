"""The KPI layer: formulas on hand-made facts, and the published tables, exports and snapshots held to the views."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest

from globalcart import db
from globalcart.marts import catalog
from globalcart.source import simulator
from globalcart.warehouse.migrations import apply_migrations
from tests.support.definitions import copy_definitions, edit
from tests.support.mail import Mailbox
from tests.support.stack import Stack

KPI_DOCS = Path(__file__).resolve().parents[2] / "docs" / "kpis.md"
DAY = date(2026, 3, 2)


@pytest.fixture
def hand_made(fresh_database: str) -> str:
    """A warehouse holding two orders written by hand: one kept, one cancelled."""
    with psycopg.connect(fresh_database) as conn:
        apply_migrations(conn)
        conn.execute(
            """
            insert into dw.dim_customer (customer_id, region, segment, valid_from)
            values (7, 'north', 'consumer', '2020-01-01');
            insert into dw.dim_product (product_id, category, list_price, unit_cost, valid_from)
            values (1, 'apparel', 50, 20, '2020-01-01'), (2, 'toys', 30, 10, '2020-01-01');
            insert into dw.dim_carrier (carrier_code, carrier_name) values ('parcelpro', 'ParcelPro');
            insert into dw.dim_fulfillment_center (fulfillment_center_code) values ('FC-TX');
            """
        )
        conn.execute(
            """
            with k as (
                select (select customer_key from dw.dim_customer where customer_id = 7) as customer_key,
                       (select product_key from dw.dim_product where product_id = 1) as apparel,
                       (select product_key from dw.dim_product where product_id = 2) as toys,
                       (select channel_key from dw.dim_channel where channel_code = 'web') as web
            )
            insert into dw.fct_order_line (
                order_item_id, order_id, line_number, order_date_key, ordered_at, customer_key, product_key,
                channel_key, promotion_key, order_status, is_cancelled, quantity, unit_price, gross_amount,
                discount_amount, net_amount, unit_cost, cost_amount, source_updated_at)
            select 1, 100, 1, 20260302, '2026-03-02 10:00Z'::timestamptz, customer_key, apparel, web, 0,
                   'delivered', false, 2, 50, 100, 10, 90, 20, 40, now() from k
            union all
            select 2, 100, 2, 20260302, '2026-03-02 10:00Z'::timestamptz, customer_key, toys, web, 0,
                   'delivered', false, 1, 30, 30, 0, 30, 10, 10, now() from k
            union all
            select 3, 101, 1, 20260302, '2026-03-02 11:00Z'::timestamptz, customer_key, toys, web, 0, 'cancelled', true,
                   5, 30, 150, 0, 150, 10, 50, now() from k
            """
        )
        conn.execute(
            """
            insert into dw.fct_return_line (
                return_id, order_item_id, order_id, requested_date_key, customer_key, product_key, return_status,
                reason, quantity, refund_amount, requested_at, source_updated_at)
            select 1, 1, 100, 20260310, f.customer_key, f.product_key, 'refunded', 'wrong_size', 1, 45,
                   '2026-03-10Z', now()
            from dw.fct_order_line f where f.order_item_id = 1;
            insert into dw.fct_shipment (
                shipment_id, order_id, order_date_key, customer_key, carrier_key, fulfillment_center_key,
                shipment_status, promised_at, shipped_at, delivered_at, delivered_date_key, is_delivered,
                is_on_time, days_to_deliver, shipping_cost, source_updated_at)
            select 1, 100, 20260302, f.customer_key,
                   (select carrier_key from dw.dim_carrier where carrier_code = 'parcelpro'),
                   (select fulfillment_center_key from dw.dim_fulfillment_center
                    where fulfillment_center_code = 'FC-TX'),
                   'delivered', '2026-03-06Z', '2026-03-03Z', '2026-03-05Z', 20260305, true, true, 2, 8, now()
            from dw.fct_order_line f where f.order_item_id = 1;
            insert into dw.fct_payment_attempt (
                payment_id, order_id, attempt_date_key, attempted_at, customer_key, channel_key, payment_method_key,
                provider, attempt_number, payment_status, is_declined, decline_reason, amount, source_updated_at)
            select n, 100, 20260302, '2026-03-02 10:01Z'::timestamptz + n * interval '1 minute', f.customer_key,
                   f.channel_key,
                   (select payment_method_key from dw.dim_payment_method where payment_method_code = 'card'),
                   'stripe', n, case n when 1 then 'declined' else 'captured' end, n = 1,
                   case n when 1 then 'insufficient_funds' end, 120, now()
            from dw.fct_order_line f cross join generate_series(1, 2) as n where f.order_item_id = 1;
            """
        )
    return fresh_database


def kpis(uri: str, grain: str, dimension: str, value: str, period: date) -> dict:
    with psycopg.connect(uri) as conn:
        cur = conn.execute(
            """select * from kpi.kpi_values
               where grain = %s and dimension_name = %s and dimension_value = %s and period_start = %s""",
            (grain, dimension, value, period),
        )
        rows = cur.fetchall()
        assert len(rows) == 1, rows
        return dict(zip([c.name for c in cur.description], rows[0], strict=True))


def test_every_kpi_formula_on_hand_made_orders(hand_made: str) -> None:
    day = kpis(hand_made, "day", "all", "all", DAY)
    expected = {
        "gross_sales": 130, "discounts": 10, "returns_amount": 45, "net_sales": 75, "cost_of_goods": 30,
        "gross_margin": 45, "gross_margin_pct": Decimal("0.6000"), "orders": 1, "units": 3,
        "average_order_value": 120, "discount_rate": Decimal("0.0769"), "returned_units": 1,
        "return_rate_units": Decimal("0.3333"), "return_rate_value": Decimal("0.3750"), "refunds": 45,
        "shipping_cost": 8, "shipping_cost_share": Decimal("0.1067"), "payment_attempts": 2,
        "authorization_rate_attempts": Decimal("0.5000"), "decline_rate_attempts": Decimal("0.5000"),
        "paying_orders": 1, "authorization_rate_orders": 1, "decline_rate_orders": 1, "lines_without_cost": 0,
    }  # fmt: skip
    assert {name: day[name] for name in expected} == expected
    # Deliveries count on the day of delivery, not of the order.
    assert day["deliveries"] is None
    delivered = kpis(hand_made, "day", "all", "all", date(2026, 3, 5))
    assert (delivered["deliveries"], delivered["on_time_delivery_pct"], delivered["average_days_to_deliver"]) == (
        1,
        1,
        2,
    )
    # By category the order counts once in each category it bought from; shipping is shared by gross amount.
    apparel = kpis(hand_made, "month", "category", "apparel", date(2026, 3, 1))
    toys = kpis(hand_made, "month", "category", "toys", date(2026, 3, 1))
    assert (apparel["orders"], toys["orders"]) == (1, 1)
    assert (apparel["net_sales"], toys["net_sales"]) == (45, 30)
    assert (apparel["shipping_cost"], toys["shipping_cost"]) == (Decimal("6.15"), Decimal("1.85"))
    assert apparel["payment_attempts"] is None  # payments are not cut by category
    carrier = kpis(hand_made, "month", "carrier", "parcelpro", date(2026, 3, 1))
    assert (carrier["net_sales"], carrier["deliveries"]) == (75, 1)


def test_the_catalog_describes_exactly_the_kpis_the_view_computes(hand_made: str) -> None:
    with psycopg.connect(hand_made) as conn:
        columns = [c.name for c in conn.execute("select * from kpi.kpi_values limit 0").description]
    assert columns[: len(catalog.GRAIN_COLUMNS)] == list(catalog.GRAIN_COLUMNS)
    assert [kpi.name for kpi in catalog.CATALOG] == columns[len(catalog.GRAIN_COLUMNS) :]


def test_the_readme_shows_the_catalog_as_it_is() -> None:
    assert catalog.markdown_table() in KPI_DOCS.read_text()


def published_equals_views(stack: Stack) -> None:
    for table, grain in (("kpi_daily", "day"), ("kpi_monthly", "month")):
        published = stack.warehouse_sql(f"select * from marts.{table}")  # noqa: S608 - fixed table names
        computed = stack.warehouse_sql("select * from kpi.kpi_values where grain = %s", (grain,))
        assert sorted(published, key=repr) == sorted(computed, key=repr), table


def test_published_tables_hold_the_views_numbers_run_after_run(stack: Stack, mailbox: Mailbox) -> None:
    assert stack.run(publish=True).published
    published_equals_views(stack)
    for step in range(3):
        simulator.simulate(1, 24.0, hard_cases=("old_order_burst",) if step == 1 else ())
        summary = stack.run(publish=True)
        assert summary.published, [c.name for c in summary.checks if c.failed]
        published_equals_views(stack)
    assert mailbox.messages == []


def test_a_changed_kpi_definition_is_published_whole_at_the_next_run(
    stack: Stack, mailbox: Mailbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert stack.run(publish=True).published
    published_rows = stack.warehouse_sql("select count(*) from marts.kpi_daily")
    definition = copy_definitions(tmp_path / "definitions", monkeypatch) / "10_kpi.kpi_values_between.sql"

    # A new KPI: only the definition changes, and every published row gains it.
    edit(
        definition, "    lines_without_cost bigint\n)", "    lines_without_cost bigint,\n    units_per_order numeric\n)"
    )
    edit(
        definition,
        "        p.lines_without_cost::bigint\n",
        "        p.lines_without_cost::bigint,\n"
        "        round(p.units::numeric / nullif(p.orders, 0), 2) as units_per_order\n",
    )
    said: list[str] = []
    summary = stack.run(publish=True, progress=said.append)
    assert summary.published, [c.name for c in summary.checks if c.failed]
    assert "re-applied definition 10_kpi.kpi_values_between.sql: it changed" in said
    assert any(line.endswith("(every month recomputed)") for line in said), said
    for table in ("kpi_daily", "kpi_monthly"):
        with psycopg.connect(stack.warehouse.uri) as conn:
            columns = [c.name for c in conn.execute(f"select * from marts.{table} limit 0").description]  # noqa: S608
        assert columns[-1] == "units_per_order", table
    assert stack.warehouse_sql("select count(*) from marts.kpi_daily") == published_rows
    assert stack.warehouse_sql(
        "select count(*) from marts.kpi_daily where (units_per_order is null) <> (coalesce(orders, 0) = 0)"
    ) == [(0,)]
    published_equals_views(stack)

    # A formula changes and the columns stay: no row keeps the old number either.
    average = "round((p.gross_sales - p.discounts) / nullif(p.orders, 0), {}) as average_order_value"
    edit(definition, average.format(2), average.format(0))
    assert stack.run(publish=True).published
    assert stack.warehouse_sql(
        "select count(*) from marts.kpi_daily where average_order_value <> round(average_order_value)"
    ) == [(0,)]
    published_equals_views(stack)

    # Unchanged since, the definition is not re-applied and runs recompute only what changed.
    said.clear()
    simulator.simulate(1, 24.0)
    assert stack.run(publish=True, progress=said.append).published
    assert not any(line.startswith("re-applied definition") for line in said), said
    assert not any(line.endswith("(every month recomputed)") for line in said), said
    published_equals_views(stack)
    assert mailbox.messages == []


def test_each_run_records_which_kpis_it_moved(stack: Stack, mailbox: Mailbox) -> None:
    from globalcart.marts.publish import kpi_moves, moves_table

    first = stack.run(publish=True)
    with db.connect(stack.warehouse) as conn:
        assert {m.before for m in kpi_moves(conn, first.run_id)} == {None}  # nothing published before
    simulator.simulate(1, 24.0)
    second = stack.run(publish=True)
    with db.connect(stack.warehouse) as conn:
        moves = kpi_moves(conn, second.run_id)
    moved = {(m.period_start, m.kpi_name): m for m in moves}
    assert moved, "a day of orders moved no KPI"
    month = max(period for period, _ in moved)
    gross = moved[(month, "gross_sales")]
    assert gross.after > gross.before and gross.change == gross.after - gross.before
    assert stack.warehouse_sql(
        "select gross_sales from marts.kpi_monthly where dimension_name = 'all' and period_start = %s", (month,)
    ) == [(gross.after,)]
    assert moves_table(moves)[0].split()[:2] == ["month", "KPI"]


def test_publishing_twice_is_a_no_op_and_another_runs_candidates_are_refused(stack: Stack, mailbox: Mailbox) -> None:
    from globalcart.errors import GlobalCartError
    from globalcart.marts.publish import build_candidates, publish_candidates

    summary = stack.run(publish=True)
    before = stack.warehouse_sql("select * from marts.kpi_monthly order by 1, 2, 3, 4")
    with db.connect(stack.warehouse) as conn:
        assert publish_candidates(conn, summary.run_id) is False
        build_candidates(conn, "another-run")
        with pytest.raises(GlobalCartError, match="built by run another-run"):
            publish_candidates(conn, summary.run_id)
    assert stack.warehouse_sql("select * from marts.kpi_monthly order by 1, 2, 3, 4") == before


def test_the_excel_pack_holds_the_published_numbers(stack: Stack, mailbox: Mailbox, tmp_path: Path) -> None:
    import pandas as pd

    from globalcart.errors import GlobalCartError
    from globalcart.marts.export import export_kpi_pack

    with pytest.raises(GlobalCartError, match="no KPI pack has been published yet"):
        export_kpi_pack(tmp_path / "none.xlsx", stack.warehouse)
    stack.run(publish=False)
    with pytest.raises(GlobalCartError, match="no KPI pack has been published yet"):
        export_kpi_pack(tmp_path / "none.xlsx", stack.warehouse)
    summary = stack.run(publish=True)
    exported = export_kpi_pack(tmp_path / "pack.xlsx", stack.warehouse)
    assert exported.run_id == summary.run_id

    sheets = pd.read_excel(exported.path, sheet_name=None)
    assert list(sheets)[:2] == ["About", "Catalog"]
    assert len(sheets["Catalog"]) == len(catalog.CATALOG)
    monthly = sheets["Monthly"].set_index("period_start")
    for period, net_sales, margin_pct, on_time in stack.warehouse_sql(
        """select period_start, net_sales, gross_margin_pct, on_time_delivery_pct from marts.kpi_monthly
           where dimension_name = 'all'"""
    ):
        row = monthly.loc[pd.Timestamp(period)]
        assert row["net_sales"] == pytest.approx(float(net_sales))
        assert row["gross_margin_pct"] == pytest.approx(float(margin_pct))
        if on_time is not None:
            assert row["on_time_delivery_pct"] == pytest.approx(float(on_time))
    by_category = sheets["Monthly by category"]
    assert set(by_category["category"]) == {
        value for (value,) in stack.warehouse_sql("select distinct category from dw.dim_product where product_key > 0")
    }


# Each analytics sheet of the pack and the published table it comes from.
ANALYTICS_SHEET_TABLES = {
    "RFM segments": "rfm_segment_summary",
    "Churn": "churn_rates",
    "Churn evidence": "churn_evidence",
    "Cohort retention": "cohort_retention",
    "Profit leakage": "profit_leakage",
    "Leakage top categories": "leakage_top_categories",
    "SLA on time": "sla_on_time",
    "SLA lateness drivers": "sla_lateness_drivers",
    "Forecast vs actuals": "revenue_forecast",
}


def test_the_excel_pack_holds_the_published_analytics(
    stack: Stack, mailbox: Mailbox, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """No analytics published: the KPI sheets alone, and a line saying so. Published: one sheet per table."""
    import logging

    import openpyxl

    from globalcart.marts.export import NO_ANALYTICS, export_kpi_pack
    from globalcart.pipelines.analytics import run_analytics

    stack.run(publish=True)
    with caplog.at_level(logging.INFO, logger="globalcart.marts.export"):
        before = export_kpi_pack(tmp_path / "kpis-only.xlsx", stack.warehouse)
    assert before.analytics_run_id is None
    assert NO_ANALYTICS in caplog.messages
    book = openpyxl.load_workbook(before.path)
    assert "Monthly" in book.sheetnames
    assert not set(ANALYTICS_SHEET_TABLES) & set(book.sheetnames)

    run_analytics(stack.warehouse, "analytics:pack", send_alert=lambda *_: None)
    exported = export_kpi_pack(tmp_path / "pack.xlsx", stack.warehouse)
    assert exported.analytics_run_id == "analytics:pack"
    book = openpyxl.load_workbook(exported.path)
    assert book.sheetnames[-len(ANALYTICS_SHEET_TABLES) :] == list(ANALYTICS_SHEET_TABLES)
    for name, table in ANALYTICS_SHEET_TABLES.items():
        ((rows,),) = stack.warehouse_sql(f"select count(*) from marts.{table}")  # noqa: S608 - names from above
        assert book[name].max_row - 1 == rows == exported.sheets[name], name
        assert book[name].auto_filter.ref == book[name].dimensions, name

    def cells(name: str) -> list[dict]:
        header, *rows = book[name].iter_rows()
        return [{column.value: cell for column, cell in zip(header, row, strict=True)} for row in rows]

    ((carrier, on_time_pct, deliveries),) = stack.warehouse_sql(
        "select dimension_value, on_time_pct, deliveries from marts.sla_on_time"
        " where dimension_name = 'carrier' and worst_rank = 1"
    )
    worst = next(row for row in cells("SLA on time") if row["dimension_name"].value == "carrier")  # worst first
    assert worst["dimension_value"].value == carrier
    assert worst["on_time_pct"].value == pytest.approx(float(on_time_pct))
    assert worst["on_time_pct"].number_format == "0.0%"
    assert worst["deliveries"].value == deliveries
    assert worst["deliveries"].number_format == "#,##0"
    ((segment, monetary),) = stack.warehouse_sql(
        "select segment, total_monetary from marts.rfm_segment_summary order by customers desc, segment limit 1"
    )
    first = cells("RFM segments")[0]
    assert (first["segment"].value, first["total_monetary"].value) == (segment, pytest.approx(float(monetary)))
    assert first["total_monetary"].number_format == "#,##0.00"
    forecast = stack.warehouse_sql(
        "select model, period_start, forecast from marts.revenue_forecast order by is_chosen desc, model, period_start"
    )
    assert [
        (row["model"].value, row["period_start"].value.date(), row["forecast"].value)
        for row in cells("Forecast vs actuals")
    ] == [(model, day, pytest.approx(float(amount))) for model, day, amount in forecast]
    # Actuals only for the closed published days: the newest published day may still be taking orders.
    closed = dict(
        stack.warehouse_sql(
            "select period_start, net_sales from marts.kpi_daily where grain = 'day' and dimension_name = 'all'"
            " and period_start < (select max(period_start) from marts.kpi_daily where dimension_name = 'all')"
        )
    )
    for row in cells("Forecast vs actuals"):
        actual = closed.get(row["period_start"].value.date())
        assert row["actual_net_sales"].value == (None if actual is None else pytest.approx(float(actual)))
    about = {label: value for label, value in book["About"].iter_rows(values_only=True)}
    assert about["Analytics published by run"] == "analytics:pack"
    # A sheet with no rows is an analysis that did not run on this data, and About says why.
    for analysis, status, reason in stack.warehouse_sql("select analysis, status, reason from marts.analytics_status"):
        assert about[f"Analysis {analysis}"] == f"{status}: {reason}"


def test_the_excel_pack_formats_by_the_catalogs_unit_and_filters(
    stack: Stack, mailbox: Mailbox, tmp_path: Path
) -> None:
    """Counts read as whole numbers, ratios as percentages, money with cents; data sheets can be filtered."""
    import openpyxl

    from globalcart.marts.export import export_kpi_pack

    stack.run(publish=True)
    book = openpyxl.load_workbook(export_kpi_pack(tmp_path / "pack.xlsx", stack.warehouse).path)
    sheet = book["Monthly"]
    header = [cell.value for cell in sheet[1]]
    expected = {"orders": "#,##0", "units": "#,##0", "gross_margin_pct": "0.0%", "net_sales": "#,##0.00"}
    for column, number_format in expected.items():
        assert sheet.cell(row=2, column=header.index(column) + 1).number_format == number_format, column
    for name in book.sheetnames:
        if name not in ("About", "Catalog"):
            assert book[name].auto_filter.ref == book[name].dimensions, name


def test_a_history_before_the_first_calendar_is_published_whole(
    server_uri: str, mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    from globalcart.pipelines.analytics import run_analytics
    from globalcart.settings import SOURCE, WAREHOUSE
    from globalcart.source.history import load_history
    from tests.support.stack import SOURCE_ENV, WAREHOUSE_ENV, scratch_database

    with scratch_database(server_uri) as source_uri, scratch_database(server_uri) as warehouse_uri:
        monkeypatch.setenv(SOURCE_ENV, source_uri)
        monkeypatch.setenv(WAREHOUSE_ENV, warehouse_uri)
        # The calendar the warehouse starts with covers 2000 to 2040.
        load_history(order_lines=5_000, days=120, end_date=date(1995, 6, 30), seed=3)
        stack = Stack(SOURCE.at(source_uri), WAREHOUSE.at(warehouse_uri), server_uri)
        summary = stack.run(publish=True)
        assert summary.published is True, [check.name for check in summary.checks if check.failed]

        kept_sales = """select (o.ordered_at at time zone 'UTC')::date, sum(i.quantity * i.unit_price)
                        from shop.order_items i join shop.orders o using (order_id)
                        where o.status <> 'cancelled' group by 1"""
        published_sales = """select period_start, gross_sales from marts.kpi_daily
                             where dimension_name = 'all' and gross_sales is not null"""
        assert dict(stack.warehouse_sql(published_sales)) == dict(stack.source_sql(kept_sales))
        ((first, last, days),) = stack.warehouse_sql(
            "select min(calendar_date), max(calendar_date), count(*) from dw.dim_date"
        )
        assert first <= date(1995, 3, 2) and last == date(2040, 12, 31) and days == (last - first).days + 1

        run_analytics(stack.warehouse, "analytics:1995", send_alert=lambda *_: None)
        statuses = dict(stack.warehouse_sql("select analysis, status from marts.analytics_status"))
        assert "skipped" not in statuses.values(), statuses
        ((cells,),) = stack.warehouse_sql("select count(*) from marts.sla_lateness_drivers")
        assert cells > 0
