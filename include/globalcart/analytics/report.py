"""A readable summary of the published analytics, for task logs and `make demo`."""

from __future__ import annotations

from decimal import Decimal

import psycopg

from globalcart import db


def _pct(value: Decimal | float | None) -> str:
    return "n/a" if value is None else f"{float(value):.1%}"


def _money(value: Decimal | float | None) -> str:
    return "n/a" if value is None else f"{float(value):,.0f}"


def _number(value: Decimal | float | None, digits: int = 3) -> str:
    return "n/a" if value is None else f"{float(value):.{digits}f}"


def status_lines(conn: psycopg.Connection) -> list[str]:
    rows = db.fetch_all(conn, "analytics/select_published_statuses.sql")
    lines = [f"{'analysis':<18}{'status':<12}{'rows':>9}  reason"]
    lines += [f"{a:<18}{s:<12}{n:>9,}  {reason}" for a, s, reason, n in rows]
    return lines


def summary_lines(conn: psycopg.Connection, top: int = 5) -> list[str]:
    """The published analytics in a few small tables; sections without data say so."""
    lines = ["Analytics status:", *("  " + line for line in status_lines(conn))]

    leakage = db.fetch_all(conn, "analytics/select_top_leakage_categories.sql", {"row_count": top})
    lines.append("")
    lines.append("Top profit-leakage categories (leakage = discounts + refunds + shipping + declined payments):")
    if leakage:
        lines.append(
            f"  {'#':<3}{'category':<14}{'gross sales':>14}{'leakage':>13}{'% of gross':>11}"
            f"{'refunds %':>11}  largest driver"
        )
        for rank, category, gross, total, pct, driver, refund_pct in leakage:
            lines.append(
                f"  {rank:<3}{category:<14}{_money(gross):>14}{_money(total):>13}{_pct(pct):>11}"
                f"{_pct(refund_pct):>11}  {driver}"
            )
    else:
        lines.append("  none published")

    pairs = db.fetch_all(conn, "analytics/select_worst_sla_pairs.sql", {"row_count": top})
    lines.append("")
    lines.append("Worst carrier x fulfillment center pairs (on-time % of delivered parcels):")
    if pairs:
        lines.append(f"  {'carrier':<12}{'center':<8}{'parcels':>9}{'on time':>9}{'days late':>11}")
        for carrier, center, deliveries, on_time, days_late in pairs:
            lines.append(f"  {carrier:<12}{center:<8}{deliveries:>9,}{_pct(on_time):>9}{_number(days_late, 2):>11}")
    else:
        lines.append("  none published")

    evidence = db.fetch_all(conn, "analytics/select_churn_evidence.sql")
    lines.append("")
    if evidence:
        as_of, window, customers, churned, rate, repeats, median, p90, within, *rest = evidence[0]
        only_cancelled, came_back, suggested = rest
        lines.append(
            f"Churn as of {as_of}: {_pct(rate)} ({churned:,} of {customers:,} customers) without a kept order "
            f"for {window} days."
        )
        lines.append(
            f"  Evidence for the window: {repeats:,} repeat purchases, median gap {_number(median, 1)} days, "
            f"90th percentile {_number(p90, 1)} days; {_pct(within)} come back within {window} days."
        )
        if came_back is not None:
            lines.append(
                f"  Tried at earlier as-of dates, {_pct(came_back)} of those it called churned ordered again later;"
                f" 90% of repeat purchases came within {suggested} days."
            )
        lines.append(f"  {only_cancelled:,} customers with only cancelled orders are not counted.")
    else:
        lines.append("Churn: none published")

    segments = db.fetch_all(conn, "analytics/select_rfm_segment_sizes.sql")
    lines.append("")
    lines.append("RFM segments:")
    if segments:
        lines.append(f"  {'segment':<22}{'customers':>10}{'share':>8}{'avg net sales':>15}{'share of sales':>16}")
        for segment, customers, share, average, sales_share in segments:
            lines.append(f"  {segment:<22}{customers:>10,}{_pct(share):>8}{_money(average):>15}{_pct(sales_share):>16}")
    else:
        lines.append("  none published")

    backtest = db.fetch_all(conn, "analytics/select_forecast_backtest.sql")
    lines.append("")
    lines.append("Net revenue forecast, rolling-origin backtest (lower is better):")
    if backtest:
        lines.append(f"  {'model':<22}{'folds':>6}{'horizon':>9}{'MAE':>12}{'sMAPE':>8}{'MASE':>7}")
        for model, folds, horizon, mae, smape, mase, chosen in backtest:
            mark = "  <- chosen" if chosen else ""
            lines.append(
                f"  {model:<22}{folds:>6}{horizon:>9}{_money(mae):>12}{_pct(smape):>8}{_number(mase, 2):>7}{mark}"
            )
    else:
        lines.append("  no backtest published")
    for model, first_day, last_day, total in db.fetch_all(conn, "analytics/select_chosen_forecast_total.sql"):
        lines.append(
            f"  {model} forecasts {_money(total)} net revenue for {first_day}..{last_day}; "
            "the daily values with 80% and 95% intervals are in marts.revenue_forecast"
        )
    conn.rollback()
    return lines
