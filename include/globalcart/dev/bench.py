"""`make bench`: measured figures, printed. Not a test: nothing here asserts a target."""

from __future__ import annotations

import os
import resource
import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TypeVar
from urllib.parse import urlsplit, urlunsplit

from psycopg import sql

from globalcart import db, memory, settings
from globalcart.dev import localstack
from globalcart.errors import GlobalCartError
from globalcart.pipelines.incremental import run_incremental
from globalcart.source.history import load_history
from globalcart.source.simulator import simulate
from globalcart.warehouse import migrations

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


@dataclass
class RunFigures:
    """One measured incremental run: wall time, its parts and this process's memory peak."""

    label: str
    wall: float
    extracted: int
    sql_work: float  # the merges and builds
    candidates: float
    checks: float
    publish: float
    peak_mb: float
    peak_step: str

    def line(self) -> str:
        return (
            f"  {self.label}: {self.extracted:,} rows in {self.wall:.2f} s (merge and build SQL {self.sql_work:.2f} s;"
            f" KPI candidates {self.candidates:.2f} s, checks {self.checks:.2f} s, publish {self.publish:.2f} s;"
            f" peak memory {self.peak_mb:,.0f} MB in {self.peak_step})"
        )


@dataclass
class SizeFigures:
    """Everything measured on one warehouse size."""

    order_lines: int
    raw_copy: float = 0.0
    raw_rows: int = 0
    initial: RunFigures | None = None
    changes: list[RunFigures] = field(default_factory=list)
    change_lines: list[int] = field(default_factory=list)
    small_changes: list[RunFigures] = field(default_factory=list)
    small_change_lines: list[int] = field(default_factory=list)
    full_rebuild: RunFigures | None = None
    analytics: dict = field(default_factory=dict)
    analytics_after_change: dict = field(default_factory=dict)
    ge_import: float = 0.0
    reconcile: float = 0.0  # a reconciliation of every mirror table against the source, nothing drifted
    reconcile_drifted: float = 0.0  # the same with some keys drifted (behind the watermark)
    drifted_keys: int = 0

    def median(self, runs: list[RunFigures]) -> float:
        return statistics.median(run.wall for run in runs)

    def peak_mb(self) -> float:
        runs = [self.initial, self.full_rebuild, *self.changes, *self.small_changes]
        peaks = [run.peak_mb for run in runs if run] + [self.analytics.get("peak_mb", 0.0)]
        return max(peaks)


def _timed_run(label: str, source: settings.Database, warehouse: settings.Database, **kwargs) -> RunFigures:
    started = time.perf_counter()
    summary = run_incremental(source=source, warehouse=warehouse, **kwargs)
    wall = time.perf_counter() - started
    seconds = summary.seconds
    failed = [check.name for check in summary.checks if check.failed]
    if summary.published is False:
        raise GlobalCartError(f"the quality gate blocked the {label}: {', '.join(failed)}")
    peak_step = max(summary.peak_mb, key=summary.peak_mb.get)
    return RunFigures(
        label=label,
        wall=wall,
        extracted=summary.totals()["extracted"],
        sql_work=sum(
            value
            for step, value in seconds.items()
            if step.startswith(("merge_", "build_")) and step != "build_kpi_candidates"
        ),
        candidates=seconds.get("build_kpi_candidates", 0.0),
        checks=seconds.get("run_quality_checks", 0.0),
        publish=seconds.get("publish_kpi_tables", 0.0),
        peak_mb=summary.peak_mb[peak_step],
        peak_step=peak_step,
    )


def bench_raw_copy(
    source: settings.Database, warehouse: settings.Database, report: Callable[[str], None]
) -> tuple[float, int]:
    """COPY every extracted source table, raw, into bare tables of the staging tables' shape in the warehouse.

    The floor for a first load on this server: the same rows, streamed the same way, with no index,
    no constraint, no merge and no check. The tables are dropped afterwards.
    """
    from globalcart.warehouse.contracts import CONTRACTS

    rows = 0
    started = time.perf_counter()
    with db.connect(source) as src, db.connect(warehouse) as wh:
        wh.execute("create schema if not exists bench_raw")
        for contract in CONTRACTS:
            table = sql.Identifier("bench_raw", contract.name)
            wh.execute(sql.SQL("drop table if exists {}").format(table))
            wh.execute(
                sql.SQL("create unlogged table {} (like {})").format(table, sql.Identifier("staging", contract.name))
            )
            columns = sql.SQL(", ").join(sql.Identifier(column.name) for column in contract.columns)
            copy_out = sql.SQL("copy (select {} from {}) to stdout").format(
                columns, sql.Identifier("shop", contract.name)
            )
            with src.cursor().copy(copy_out) as rows_out, wh.cursor() as cur:
                with cur.copy(sql.SQL("copy {} ({}) from stdin").format(table, columns)) as rows_in:
                    for block in rows_out:
                        rows_in.write(block)
                rows += cur.rowcount
        wh.commit()
        elapsed = time.perf_counter() - started
        wh.execute("drop schema bench_raw cascade")
        wh.commit()
    report(f"  raw COPY of the source tables into bare tables of the same shape: {rows:,} rows in {elapsed:.2f} s")
    return elapsed, rows


def _simulate_lines(source: settings.Database, order_lines: int) -> int:
    """One simulated step sized to add about ``order_lines`` new order lines at the shop's current pace."""
    with db.connect(source) as conn:
        ((per_hour,),) = db.fetch_all(conn, "bench/select_order_lines_per_hour.sql")
        ((before,),) = db.fetch_all(conn, "bench/select_order_line_count.sql")
    hours = min(max(order_lines / max(per_hour, 1.0), 0.05), 168.0)
    with _pointing_at(source=source.uri):
        simulate(1, hours)
    with db.connect(source) as conn:
        ((after,),) = db.fetch_all(conn, "bench/select_order_line_count.sql")
    return after - before


def bench_size(
    order_lines: int,
    seed: int,
    change_lines: int,
    small_change_lines: int,
    repeats: int,
    report: Callable[[str], None] = print,
) -> SizeFigures:
    """Generate a shop of ``order_lines``, then measure its first load, changes, a full rebuild and the analytics."""
    figures = SizeFigures(order_lines=order_lines)
    bench_generator(order_lines, seed, report)
    _recreate_database(BENCH_WAREHOUSE)
    source = settings.SOURCE.at(_uri(BENCH_SOURCE))
    warehouse = settings.WAREHOUSE.at(_uri(BENCH_WAREHOUSE))
    report("")
    report(f"incremental load: source {BENCH_SOURCE}, warehouse {BENCH_WAREHOUSE}")
    figures.ge_import = great_expectations_import_seconds()
    import great_expectations  # noqa: F401 - imported once here, so the timings below exclude the import

    report(
        "  great_expectations import in a fresh interpreter (each Airflow gate task pays it):"
        f" {figures.ge_import:.2f} s"
    )
    with db.connect(warehouse) as conn:
        migrations.apply_migrations(conn)
    figures.raw_copy, figures.raw_rows = bench_raw_copy(source, warehouse, report)
    figures.initial = _timed_run("initial load", source, warehouse)
    report(figures.initial.line())
    for attempt in range(1, repeats + 1):
        lines = _simulate_lines(source, change_lines)
        run = _timed_run(f"change {attempt} ({lines:,} new order lines)", source, warehouse)
        figures.change_lines.append(lines)
        figures.changes.append(run)
        report(run.line())
    for attempt in range(1, repeats + 1):
        lines = _simulate_lines(source, small_change_lines)
        run = _timed_run(f"small change {attempt} ({lines:,} new order lines)", source, warehouse)
        figures.small_change_lines.append(lines)
        figures.small_changes.append(run)
        report(run.line())
    figures.analytics = bench_analytics(warehouse, figures.ge_import, report)
    lines = _simulate_lines(source, small_change_lines)
    report(_timed_run(f"small change before analytics ({lines:,} new order lines)", source, warehouse).line())
    figures.analytics_after_change = bench_analytics(warehouse, figures.ge_import, report)
    figures.full_rebuild = _timed_run("full rebuild", source, warehouse, full_refresh=True)
    report(figures.full_rebuild.line())
    figures.reconcile, _ = _timed_reconcile("reconcile", source, warehouse, report)
    _drift_behind_the_watermark(source)
    figures.reconcile_drifted, figures.drifted_keys = _timed_reconcile("reconcile, drifted", source, warehouse, report)
    report("")
    _size_table(figures, report)
    return figures


def _timed_reconcile(
    label: str, source: settings.Database, warehouse: settings.Database, report: Callable[[str], None]
) -> tuple[float, int]:
    from globalcart.warehouse import reconcile

    started = time.perf_counter()
    summary = reconcile.reconcile(source, warehouse, f"bench__{label.replace(' ', '_').replace(',', '')}")
    seconds = time.perf_counter() - started
    report(
        f"  {label}: {sum(t.buckets for t in summary.tables):,} buckets, {summary.keys_differing:,} keys drifted,"
        f" in {seconds:.2f} s"
    )
    return seconds, summary.keys_differing


def _drift_behind_the_watermark(source: settings.Database) -> None:
    """Change 100 order lines spread over the table without moving updated_at (what the watermark misses)."""
    with db.connect(source) as conn, db.transaction(conn):
        db.execute_statements(conn, "bench/drift_order_lines.sql")


def _size_table(figures: SizeFigures, report: Callable[[str], None]) -> None:
    initial, full = figures.initial, figures.full_rebuild
    changes, small = figures.changes, figures.small_changes
    _table(
        report,
        [
            ("order lines", f"{figures.order_lines:,}"),
            ("raw COPY of the source rows (s)", f"{figures.raw_copy:.2f}"),
            ("raw COPY: rows per second", f"{figures.raw_rows / figures.raw_copy:,.0f}"),
            ("initial load, gate included (s)", f"{initial.wall:.2f}"),
            ("initial load / raw COPY", f"{initial.wall / figures.raw_copy:.1f}x"),
            ("full rebuild, gate included (s)", f"{full.wall:.2f}"),
            ("full rebuild / raw COPY", f"{full.wall / figures.raw_copy:.1f}x"),
            ("change: new order lines, median", f"{statistics.median(figures.change_lines):,.0f}"),
            ("change run, min (s)", f"{min(run.wall for run in changes):.2f}"),
            ("change run, median (s)", f"{figures.median(changes):.2f}"),
            ("  merge and build SQL, median (s)", f"{statistics.median(run.sql_work for run in changes):.2f}"),
            ("  KPI candidates, median (s)", f"{statistics.median(run.candidates for run in changes):.2f}"),
            ("  quality checks, median (s)", f"{statistics.median(run.checks for run in changes):.2f}"),
            ("small change: new order lines, median", f"{statistics.median(figures.small_change_lines):,.0f}"),
            ("small change run, median (s)", f"{figures.median(small):.2f}"),
            ("analytics, full (s)", f"{figures.analytics['in_process']:.2f}"),
            ("analytics after a small change (s)", f"{figures.analytics_after_change['in_process']:.2f}"),
            ("reconciliation, nothing drifted (s)", f"{figures.reconcile:.2f}"),
            (f"reconciliation, {figures.drifted_keys:,} keys drifted (s)", f"{figures.reconcile_drifted:.2f}"),
            ("peak memory of any step (MB)", f"{figures.peak_mb():,.0f}"),
        ],
    )


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

    peaks: dict[str, float] = {}

    def timed(task: str, action: Callable[[], T]) -> T:
        memory.reset_peak()
        started = time.perf_counter()
        result = action()
        seconds[task] = time.perf_counter() - started
        peaks[task] = memory.peak_mb()
        report(f"  {task}: {seconds[task]:.2f} s, peak memory {peaks[task]:,.0f} MB")
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
    return {
        "seconds": seconds,
        "in_process": in_process,
        "with_imports": with_imports,
        "peak_mb": max(peaks.values()),
    }


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
    sizes: Sequence[int],
    seed: int,
    change_lines: int = 10_000,
    small_change_lines: int = 300,
    repeats: int = 3,
    report: Callable[[str], None] = print,
    latency: bool = True,
) -> list[SizeFigures]:
    """Measure every size in ``sizes``, then print the targets side by side."""
    measured = []
    for order_lines in sizes:
        report(f"=== {order_lines:,} order lines")
        try:
            measured.append(bench_size(order_lines, seed, change_lines, small_change_lines, repeats, report))
        finally:
            for name in (BENCH_WAREHOUSE, BENCH_SOURCE):
                _drop_database(name)
    report("")
    report("targets, side by side:")
    _targets_table(measured, report)
    if latency:
        bench_event_latency(report=report)
    return measured


def _targets_table(measured: list[SizeFigures], report: Callable[[str], None]) -> None:
    header = f"  {'measure':<46}" + "".join(f"{f'{size.order_lines:,} lines':>18}" for size in measured)
    report(header)
    smallest = measured[0]
    rows = [
        ("first load / raw COPY (target <= 3x)", lambda f: f"{f.initial.wall / f.raw_copy:.1f}x"),
        ("change run, median (s) (target <= 5 s at 1M)", lambda f: f"{f.median(f.changes):.2f}"),
        (
            f"change run / at {smallest.order_lines:,} (target <= 1.3x)",
            lambda f: f"{f.median(f.changes) / smallest.median(smallest.changes):.2f}x",
        ),
        ("small change run, median (s) (target < 2 s)", lambda f: f"{f.median(f.small_changes):.2f}"),
        ("analytics, full (s) (target < 60 s)", lambda f: f"{f.analytics['in_process']:.2f}"),
        (
            "analytics after a small change / full",
            lambda f: f"{f.analytics_after_change['in_process'] / f.analytics['in_process']:.2f}",
        ),
        ("peak memory of any step (MB) (target <= 1024)", lambda f: f"{f.peak_mb():,.0f}"),
    ]
    for label, value in rows:
        report(f"  {label:<46}" + "".join(f"{value(size):>18}" for size in measured))


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
