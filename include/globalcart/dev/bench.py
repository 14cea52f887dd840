"""`make bench`: measured figures, printed. Not a test: nothing here asserts a target."""

from __future__ import annotations

import os
import resource
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import TypeVar
from urllib.parse import urlsplit, urlunsplit

from psycopg import sql

from globalcart import db, settings
from globalcart.dev import localstack
from globalcart.errors import GlobalCartError
from globalcart.pipelines.incremental import run_incremental
from globalcart.source.history import load_history
from globalcart.source.simulator import simulate

T = TypeVar("T")

BENCH_SOURCE = "globalcart_bench_source"
BENCH_WAREHOUSE = "globalcart_bench_warehouse"


def bench_end_date() -> date:
    """The benchmark shop's history ends today, like a live shop's: the quality gate then reconciles the
    last closed day, as it does in production, instead of every day since a fixed date."""
    return datetime.now(UTC).date()


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _uri(database: str) -> str:
    source = urlsplit(settings.libpq_uri(settings.SOURCE.uri))
    return urlunsplit(source._replace(path=f"/{database}"))


def _drop_database(name: str) -> None:
    with db.connect_maintenance(settings.SOURCE) as admin:
        admin.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))


def _recreate_database(name: str) -> None:
    _drop_database(name)
    with db.connect_maintenance(settings.SOURCE) as admin:
        admin.execute(sql.SQL("create database {}").format(sql.Identifier(name)))


def bench_generator(order_lines: int, seed: int, report: Callable[[str], None] = print) -> dict:
    """Generate ``order_lines`` into a scratch database and print throughput and peak memory."""
    localstack.start()
    _recreate_database(BENCH_SOURCE)
    rss_before = _peak_rss_mb()
    report(f"generator: {order_lines:,} order lines, seed {seed}, into database {BENCH_SOURCE}")
    with _pointing_at(source=_uri(BENCH_SOURCE)):
        started = time.perf_counter()
        manifest = load_history(
            order_lines=order_lines,
            days=730,
            end_date=bench_end_date(),
            seed=seed,
            progress=lambda line: report(f"  {line}"),
        )
        elapsed = time.perf_counter() - started
    lines = manifest["row_counts"]["order_items"]
    total_rows = sum(manifest["row_counts"].values())
    figures = {
        "order_lines": lines,
        "rows_all_tables": total_rows,
        "seconds": elapsed,
        "order_lines_per_second": lines / elapsed,
        "peak_rss_mb": _peak_rss_mb(),
    }
    report("")
    _table(
        report,
        [
            ("order lines loaded", f"{lines:,}"),
            ("rows loaded, all tables", f"{total_rows:,}"),
            ("wall time, end to end (s)", f"{elapsed:.2f}"),
            ("order lines per second", f"{lines / elapsed:,.0f}"),
            ("rows per second, all tables", f"{total_rows / elapsed:,.0f}"),
            ("peak memory of this process (MB)", f"{figures['peak_rss_mb']:,.0f}"),
            ("  of which before generating (MB)", f"{rss_before:,.0f}"),
        ],
    )
    return figures


def bench_incremental_load(change_hours: float, report: Callable[[str], None] = print) -> dict:
    """Initial load, an incremental run after a change of about 1%, and a full rebuild, on the benchmark shop."""
    _recreate_database(BENCH_WAREHOUSE)
    source = settings.SOURCE.at(_uri(BENCH_SOURCE))
    warehouse = settings.WAREHOUSE.at(_uri(BENCH_WAREHOUSE))
    report("")
    report(f"incremental load: source {BENCH_SOURCE}, warehouse {BENCH_WAREHOUSE}")

    gates: dict[str, dict[str, float]] = {}

    def timed_run(label: str, **kwargs) -> tuple[float, float, int]:
        started = time.perf_counter()
        summary = run_incremental(source=source, warehouse=warehouse, **kwargs)
        elapsed = time.perf_counter() - started
        seconds = summary.seconds
        sql_work = sum(
            seconds[step]
            for step in seconds
            if step.startswith(("merge_", "build_")) and step != "build_kpi_candidates"
        )
        extracted = summary.totals()["extracted"]
        gates[label] = {
            "candidates": seconds.get("build_kpi_candidates", 0.0),
            "checks": seconds.get("run_quality_checks", 0.0),
            "decision": seconds.get("enforce_quality_gate", 0.0),
            "publish": seconds.get("publish_kpi_tables", 0.0),
        }
        failed = [check.name for check in summary.checks if check.failed]
        report(
            f"  {label}: {extracted:,} rows in {elapsed:.2f} s (merge and build SQL {sql_work:.2f} s; KPI candidates"
            f" {gates[label]['candidates']:.2f} s, checks {gates[label]['checks']:.2f} s, publish"
            f" {gates[label]['publish']:.2f} s; {len(summary.checks) - len(failed)}/{len(summary.checks)} checks"
            f" passed{': ' + ', '.join(failed) if failed else ''})"
        )
        if summary.published is False:
            raise GlobalCartError(f"the quality gate blocked the {label}: {', '.join(failed)}")
        return elapsed, sql_work, extracted

    import_seconds = great_expectations_import_seconds()
    import great_expectations  # noqa: F401 - imported once here, so the timings below exclude the import

    report(
        f"  great_expectations import in a fresh interpreter (each Airflow gate task pays it): {import_seconds:.2f} s"
    )
    initial = timed_run("initial load")
    with _pointing_at(source=source.uri):
        simulate(1, change_hours)
    with db.connect(source) as conn:
        (lines,) = conn.execute("select count(*) from shop.order_items").fetchone()
        (changed_lines,) = conn.execute(
            "select count(*) from shop.order_items where updated_at > (select generated_at from sim.manifest)"
        ).fetchone()
    report(f"  change: one simulated step of {change_hours:g} hours: {changed_lines:,} of {lines:,} order lines new")
    incremental = timed_run("incremental run")
    full = timed_run("full rebuild", full_refresh=True)
    report("")
    _table(
        report,
        [
            ("initial load: wall time (s)", f"{initial[0]:.2f}"),
            ("initial load: rows per second", f"{initial[2] / initial[0]:,.0f}"),
            ("change: order lines new or changed", f"{changed_lines:,} ({changed_lines / lines:.2%})"),
            ("incremental: rows extracted", f"{incremental[2]:,}"),
            ("incremental: wall time (s)", f"{incremental[0]:.2f}"),
            ("incremental: merge and build SQL (s)", f"{incremental[1]:.2f}"),
            ("full rebuild: wall time (s)", f"{full[0]:.2f}"),
            ("full rebuild: merge and build SQL (s)", f"{full[1]:.2f}"),
            ("full rebuild: rows per second", f"{full[2] / full[0]:,.0f}"),
            ("full rebuild / incremental, wall time", f"{full[0] / incremental[0]:.1f}x"),
            ("full rebuild / incremental, SQL work", f"{full[1] / incremental[1]:.1f}x"),
        ],
    )
    report("")
    report("quality gate and publication (write-audit-publish of the KPI tables):")
    rows = []
    for label in ("initial load", "incremental run"):
        gate = gates[label]
        in_process = gate["candidates"] + gate["checks"] + gate["decision"]
        rows += [
            (f"{label}: KPI candidates (s)", f"{gate['candidates']:.2f}"),
            (f"{label}: quality checks (s)", f"{gate['checks']:.2f}"),
            (f"{label}: gate, in-process (s)", f"{in_process:.2f}"),
            (f"{label}: gate + GE import (s)", f"{in_process + import_seconds:.2f}"),
            (f"{label}: publish (s)", f"{gate['publish']:.2f}"),
        ]
    _table(report, rows)
    analytics = bench_analytics(warehouse, import_seconds, report)
    return {
        "initial": initial,
        "incremental": incremental,
        "full_rebuild": full,
        "changed_lines": changed_lines,
        "gates": gates,
        "great_expectations_import": import_seconds,
        "analytics": analytics,
    }


def bench_analytics(
    warehouse: settings.Database, ge_import_seconds: float, report: Callable[[str], None] = print
) -> dict:
    """The globalcart_analytics DAG's tasks, one after the other, on the benchmark warehouse."""
    from globalcart.pipelines.analytics import run_analytics

    run_id = "analytics:bench"
    seconds: dict[str, float] = {}
    model_import = fresh_import_seconds("import pandas, statsmodels.api, scipy.stats")
    report("")
    report(f"analytics DAG tasks on warehouse {BENCH_WAREHOUSE}, one after the other:")

    def timed(task: str, action: Callable[[], T]) -> T:
        started = time.perf_counter()
        result = action()
        seconds[task] = time.perf_counter() - started
        report(f"  {task}: {seconds[task]:.2f} s")
        return result

    statuses = run_analytics(warehouse, run_id, step=timed)
    for status in statuses:
        report(f"    {status.line()}")
    in_process = sum(seconds.values())
    # In Airflow every task is a fresh process: the gate task imports Great Expectations,
    # and the two model tasks import pandas and statsmodels.
    with_imports = in_process + ge_import_seconds + 2 * model_import
    report("")
    _table(
        report,
        [
            *((f"analytics: {task} (s)", f"{value:.2f}") for task, value in seconds.items()),
            ("analytics: all tasks, in-process (s)", f"{in_process:.2f}"),
            ("pandas + statsmodels import, fresh (s)", f"{model_import:.2f}"),
            ("analytics: tasks + their imports (s)", f"{with_imports:.2f}"),
        ],
    )
    return {"seconds": seconds, "in_process": in_process, "with_imports": with_imports}


def great_expectations_import_seconds() -> float:
    """How long a fresh interpreter takes to import great_expectations (what every Airflow gate task pays)."""
    return fresh_import_seconds("import great_expectations")


def fresh_import_seconds(statement: str) -> float:
    """How long ``statement`` (imports) takes in a fresh interpreter."""
    import subprocess
    import sys

    probe = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return float(result.stdout.strip().splitlines()[-1])


LATENCY_SOURCE = "globalcart_latency_source"
LATENCY_WAREHOUSE = "globalcart_latency_warehouse"
LATENCY_ORDER_LINES = 200_000  # the demo's shop


def bench_event_latency(changes: int = 5, report: Callable[[str], None] = print) -> dict:
    """Source commit to published KPIs, through a real scheduler, triggerer and LocalExecutor.

    A demo-sized shop is loaded first; then, with nothing running, another application commits a
    change (a customer moves region), ``changes`` times: the triggerer notices it, the scheduler
    starts ``globalcart_incremental``, and the time until its KPI publication is measured.
    """
    import statistics
    import tempfile
    from pathlib import Path

    from globalcart.dev.cluster import airflow_cluster, free_port
    from globalcart.pipelines.incremental import run_incremental

    report("")
    report(f"event-driven runs through a real scheduler, on the demo's shop ({LATENCY_ORDER_LINES:,} order lines):")
    for name in (LATENCY_SOURCE, LATENCY_WAREHOUSE):
        _recreate_database(name)
    source = settings.SOURCE.at(_uri(LATENCY_SOURCE))
    warehouse = settings.WAREHOUSE.at(_uri(LATENCY_WAREHOUSE))
    with _pointing_at(source=source.uri):
        load_history(order_lines=LATENCY_ORDER_LINES, days=730, end_date=bench_end_date(), seed=42)
    run_incremental(source=source, warehouse=warehouse, send_alert=lambda *_: None)
    server = urlunsplit(urlsplit(settings.libpq_uri(settings.SOURCE.uri))._replace(path="/postgres"))
    connections = {
        settings.SOURCE_CONN_ID: source.uri,
        settings.WAREHOUSE_CONN_ID: warehouse.uri,
        settings.SHOP_CONN_ID: source.uri,
    }
    rows = []
    with tempfile.TemporaryDirectory(prefix="globalcart-latency-") as home:
        with airflow_cluster(server, connections, free_port(), Path(home)) as cluster:
            cluster.wait_for_run("globalcart_incremental", timeout=600)
            cluster.idle("globalcart_incremental", timeout=600)
            for attempt in range(1, changes + 1):
                time.sleep(5)
                with db.connect(source) as conn:
                    conn.execute(
                        "update shop.customers set region = case region when 'europe' then 'north_america'"
                        " else 'europe' end where customer_id = %s",
                        (attempt,),
                    )
                    conn.commit()
                committed = datetime.now(UTC)
                run = cluster.wait_for_run(
                    "globalcart_incremental",
                    run_type="asset_triggered",
                    queued_at=lambda at, committed=committed: at is not None and at > committed,
                    timeout=300,
                )
                with db.connect(warehouse) as conn:
                    published = conn.execute(
                        "select decided_at from audit.publications where run_id = %s and outcome = 'published'",
                        (run["run_id"],),
                    ).fetchone()
                latency = (published[0] - committed).total_seconds() if published else float("nan")
                queued = (run["queued_at"] - committed).total_seconds()
                took = (run["end_date"] - run["start_date"]).total_seconds()
                rows.append((latency, queued, took))
                report(
                    f"  change {attempt}: run {run['state']}; queued {queued:.1f} s after the commit,"
                    f" KPIs published {latency:.1f} s after it; the run took {took:.1f} s"
                )
                cluster.idle("globalcart_incremental")
    for name in (LATENCY_WAREHOUSE, LATENCY_SOURCE):
        _drop_database(name)
    latencies = [row[0] for row in rows]
    report("")
    _table(
        report,
        [
            ("commit to published KPIs, min (s)", f"{min(latencies):.1f}"),
            ("commit to published KPIs, median (s)", f"{statistics.median(latencies):.1f}"),
            ("commit to published KPIs, max (s)", f"{max(latencies):.1f}"),
            ("commit to run queued, median (s)", f"{statistics.median(r[1] for r in rows):.1f}"),
            ("whole run, median (s)", f"{statistics.median(r[2] for r in rows):.1f}"),
        ],
    )
    return {"latencies": latencies, "rows": rows}


def run_benchmarks(
    order_lines: int, seed: int, change_hours: float, report: Callable[[str], None] = print, latency: bool = True
) -> None:
    try:
        bench_generator(order_lines, seed, report)
        bench_incremental_load(change_hours, report)
    finally:
        for name in (BENCH_WAREHOUSE, BENCH_SOURCE):
            _drop_database(name)
    if latency:
        bench_event_latency(report=report)


def _table(report: Callable[[str], None], rows: list[tuple[str, str]]) -> None:
    report(f"  {'measure':<42}{'value':>18}")
    for label, value in rows:
        report(f"  {label:<42}{value:>18}")


@contextmanager
def _pointing_at(*, source: str) -> Iterator[None]:
    """Point the project's source connection at ``source`` for the duration (the simulator reads it)."""
    variable = settings.conn_env_var(settings.SOURCE_CONN_ID)
    previous = os.environ.get(variable)
    os.environ[variable] = source
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(variable, None)
        else:
            os.environ[variable] = previous
