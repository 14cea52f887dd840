"""`make demo`: the whole job, end to end, on the local stack, with progress and a summary."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from globalcart import db, settings
from globalcart.dev import localstack
from globalcart.dev.airflow_env import airflow_environment, apply_airflow_environment, prepare_airflow_home
from globalcart.errors import GlobalCartError
from globalcart.pipelines.analytics import analytics_run_id, run_analytics
from globalcart.pipelines.incremental import RunSummary, new_run_id, run_incremental
from globalcart.source.history import load_history
from globalcart.source.simulator import simulate

DEMO_ORDER_LINES = 200_000
DEMO_DAYS = 730
DEMO_SEED = 42
SIMULATED_STEPS = 3
HOURS_PER_STEP = 6.0
HARD_CASES = ("long_transaction", "shared_timestamp", "old_order_burst")


def run_demo(say: Callable[[str], None] = print) -> None:
    started = time.perf_counter()
    apply_airflow_environment()  # data-quality alerts go through Airflow's SMTP connection
    say("==> 1/8 local stack")
    say(f"  {localstack.start()}")

    say(f"==> 2/8 generating the shop's history ({DEMO_ORDER_LINES:,} order lines over {DEMO_DAYS} days)")
    manifest = load_history(
        order_lines=DEMO_ORDER_LINES,
        days=DEMO_DAYS,
        end_date=datetime.now(UTC).date(),
        seed=DEMO_SEED,
        replace=True,
        progress=lambda line: say(f"  {line}"),
    )

    say("==> 3/8 initial load of the warehouse (full refresh: the warehouse forgets any earlier demo)")
    _report_run(run_incremental(full_refresh=True), say, show_moves=False)

    say(f"==> 4/8 the shop lives on: {SIMULATED_STEPS} simulated steps of {HOURS_PER_STEP:g} hours, each followed")
    say("    by an incremental run (the last step adds the hard cases a pipeline must survive); each run")
    say("    checks its changes with the quality gate, publishes the KPI tables, and shows which KPIs moved")
    for step in range(1, SIMULATED_STEPS + 1):
        hard_cases = HARD_CASES if step == SIMULATED_STEPS else ()
        simulate(1, HOURS_PER_STEP, hard_cases=hard_cases, burst_rows=100, progress=lambda line: say(f"  {line}"))
        _report_run(run_incremental(), say)

    say("==> 5/8 analytics: RFM, churn, cohorts, profit leakage, SLA drivers, revenue forecast")
    say("    (built aside, checked by the analytics suite of the quality gate, then published to marts at once)")
    analytics_started = time.perf_counter()
    run_analytics(settings.WAREHOUSE, analytics_run_id(new_run_id()), progress=lambda line: say(f"  {line}"))
    say(f"  analytics published in {time.perf_counter() - analytics_started:.1f} s")

    say("==> 6/8 the same jobs through Airflow (airflow dags test)")
    for dag_id in ("globalcart_simulate_shop", "globalcart_incremental", "globalcart_analytics"):
        run_dag_test(dag_id, say)

    say("==> 7/8 the published KPI pack, for Excel")
    from globalcart.marts.export import NO_ANALYTICS, export_kpi_pack

    pack = export_kpi_pack(settings.LOCAL_DIR / "exports" / "globalcart_kpi_pack.xlsx")
    say(f"  {pack.path} (published by run {pack.run_id}; also `make export`)")
    if pack.analytics_run_id is None:
        say(f"  {NO_ANALYTICS}")

    say("==> 8/8 the dashboards, read as the BI role")
    for line in dashboard_lines():
        say(f"  {line}")

    say("==> summary")
    for line in summary_lines(manifest):
        say(f"  {line}")
    for line in analytics_lines(manifest):
        say(f"  {line}")
    say(f"demo finished in {time.perf_counter() - started:.0f} s")


def dashboard_lines() -> list[str]:
    """The executive tiles as the dashboard shows them, read in-process through its own endpoints."""
    from fastapi.testclient import TestClient

    from globalcart.web.dashboards import format_value
    from globalcart.web.pages import create_app

    app = create_app()
    with TestClient(app) as client:
        status = client.get("/api/dashboards/status").json()
        body = client.get("/api/dashboards/executive/tiles").json()
    app.state.marts.close()
    start, end = body["data"]["periods"]["current"]
    lines = [status["kpis"]["message"], f"executive tiles, {start} to {end} (vs the 28 days before):"]
    for tile in body["data"]["tiles"]:
        lines.append(
            f"  {tile['label']:<22}{format_value(tile['current'], tile['unit']):>14}"
            f"   before {format_value(tile['previous'], tile['unit']):>14}"
        )
    lines += [
        "open them: `make dashboards` serves http://127.0.0.1:8051/dashboards/executive and /operations;",
        "in Airflow (`make airflow`) they are in the menu under GlobalCart 360, behind Airflow's login",
    ]
    return lines


def _report_run(summary: RunSummary, say: Callable[[str], None], *, show_moves: bool = True) -> None:
    totals = summary.totals()
    say(
        f"  run {summary.run_id}: {totals['extracted']:,} rows extracted, {totals['inserted']:,} inserted,"
        f" {totals['updated']:,} updated, {totals['ignored_stale']:,} ignored as not newer,"
        f" {totals['rejected']:,} rejected, in {sum(summary.seconds.values()):.1f} s"
    )
    for line in summary.table():
        say(f"    {line}")
    if summary.published is None:
        return
    from globalcart.marts.publish import kpi_moves, moves_table

    failed = [check for check in summary.checks if check.failed]
    seconds = summary.seconds
    say(
        f"  quality gate: {len(summary.checks) - len(failed)}/{len(summary.checks)} checks passed"
        f" ({', '.join(check.name for check in failed) or 'none failed'});"
        f" KPI candidates {seconds.get('build_kpi_candidates', 0):.1f} s,"
        f" checks {seconds.get('run_quality_checks', 0):.1f} s, publish {seconds.get('publish_kpi_tables', 0):.1f} s"
    )
    if not summary.published:
        raise GlobalCartError(f"the quality gate blocked run {summary.run_id}: see audit.quality_results")
    with db.connect(settings.WAREHOUSE) as conn:
        moves = kpi_moves(conn, summary.run_id)
    if not show_moves:
        say(f"  published the KPI tables ({len(moves):,} monthly KPI values differ from what was published before)")
        return
    say("  KPIs this run moved (monthly, whole shop; largest relative moves first):")
    for line in moves_table(moves, limit=8):
        say(f"    {line}")


def run_dag_test(dag_id: str, say: Callable[[str], None]) -> None:
    """Run one DAG in-process with `airflow dags test`, its full log kept in .local/demo/."""
    env = {**os.environ, **airflow_environment()}
    prepare_airflow_home(env)
    airflow = str(Path(sys.executable).with_name("airflow"))
    log_dir = settings.LOCAL_DIR / "demo"
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"{dag_id}.log"
    with log_path.open("w") as log:
        for command in ([airflow, "db", "migrate"], [airflow, "dags", "test", dag_id]):
            started = time.perf_counter()
            result = subprocess.run(command, env=env, stdout=log, stderr=subprocess.STDOUT, check=False)
            if result.returncode != 0:
                raise GlobalCartError(f"`airflow {' '.join(command[1:])}` failed; see {log_path}")
            say(f"  airflow {' '.join(command[1:])}: ok in {time.perf_counter() - started:.1f} s")
    # `airflow dags test` exits 0 even when the run fails: read the run's final state from its log.
    text = log_path.read_text()
    finished = re.search(rf"DagRun Finished: dag_id={re.escape(dag_id)},.*? state=(\w+)", text)
    state = finished.group(1) if finished else "unknown"
    if state != "success":
        raise GlobalCartError(f"the {dag_id} run ended in state {state}; see {log_path}")
    steps = re.findall(r"\b(step \d+: \S.*? UTC: [^\[\n'\"]*)", text)
    for step in dict.fromkeys(step.rstrip() for step in steps):  # logged, then returned: say it once
        say(f"  {step}")
    say(f"  run state: {state}; full Airflow log: {log_path}")


def summary_lines(manifest: dict) -> list[str]:
    with db.connect(settings.SOURCE) as conn:
        counts = db.fetch_all(conn, "source/select_table_counts.sql")
        statuses = db.fetch_all(conn, "source/select_order_status_counts.sql")
        (clock,) = db.fetch_all(conn, "source/sim/read_clock.sql")
    with db.connect(settings.WAREHOUSE) as conn:
        star = db.fetch_all(conn, "audit/select_star_counts.sql")
        watermarks = db.fetch_all(conn, "staging/select_watermarks.sql")
        (rejected,) = db.fetch_all(conn, "audit/select_rejected_count.sql")[0]
    truth = manifest["ground_truth"]
    return [
        "source tables: " + ", ".join(f"{table} {rows:,}" for table, rows in counts),
        "orders by status: " + ", ".join(f"{status} {rows:,}" for status, rows in statuses),
        f"simulated clock: {clock[0]:%Y-%m-%d %H:%M} UTC after {clock[1]} steps",
        "star schema: " + ", ".join(f"{table} {rows:,}" for table, rows in star),
        "watermarks: "
        + ", ".join(f"{table} {mark:%H:%M:%S}" for table, mark in sorted(watermarks) if mark.year > 2000),
        f"rows ever rejected by the contract: {rejected:,} (audit.rejected_rows)",
        f"planted signals: highest return rate in {truth['highest_return_rate_category']}, late pair "
        f"{truth['late_pair']['carrier']} at {truth['late_pair']['fulfillment_center']}",
        f"source database: {settings.SOURCE.display_uri()}; warehouse: {settings.WAREHOUSE.display_uri()}",
        *kpi_headline(),
    ]


def kpi_headline() -> list[str]:
    """The last two months of the published KPIs, the way a reader of the pack sees them."""
    with db.connect(settings.WAREHOUSE) as conn:
        months = db.fetch_all(conn, "export/select_kpi_headline.sql")
        docs = db.fetch_all(conn, "export/select_latest_data_docs.sql")
    lines = [
        "published KPIs (marts.kpi_monthly, whole shop):",
        f"  {'month':<9}{'net sales':>14}{'margin %':>10}{'orders':>9}{'AOV':>9}{'return %':>10}"
        f"{'on time %':>11}{'declines %':>12}",
    ]
    for month, net_sales, margin, orders, aov, returns, on_time, declines in months:
        lines.append(
            f"  {month:%Y-%m}   {net_sales:>14,.0f}{_pct(margin):>10}{orders:>9,}{aov:>9,.2f}{_pct(returns):>10}"
            f"{_pct(on_time):>11}{_pct(declines):>12}"
        )
    lines.append(f"last quality-gate Data Docs: {docs[0][0] if docs else 'none yet'}")
    return lines


def _pct(value) -> str:
    return "-" if value is None else f"{float(value):.1%}"


def analytics_lines(manifest: dict) -> list[str]:
    """The published analytics, and what the generator planted for them to find."""
    from globalcart.analytics.report import summary_lines as analytics_summary

    realised = manifest["realised"]
    worst = realised["worst_on_time_pair"] or {}
    from globalcart.analytics.charts import write_charts

    with db.connect(settings.WAREHOUSE) as conn:
        lines = ["", *analytics_summary(conn)]
        charts = write_charts(conn)
    lines += [
        "",
        "What the generator planted, as it came out in this history (the manifest in sim.manifest):",
        f"  highest refund leakage: {realised['highest_leakage_category']}; worst pair: "
        f"{worst.get('carrier')} at {worst.get('fulfillment_center')} ({_pct(worst.get('on_time_rate'))} on time)",
        f"  churn at the end of the history: {_pct(realised['churn_90d_rate'])}; repeat purchases within 90 days: "
        f"{_pct(realised['repeat_within_90d_share'])}",
        "",
        "Charts (open in a browser): " + ", ".join(str(path) for path in charts),
    ]
    return lines
