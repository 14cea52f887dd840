"""`make bench`: measured figures, printed. Not a test: nothing here asserts a target."""

from __future__ import annotations

import resource
import time
from collections.abc import Callable
from datetime import date
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

from globalcart import db, localstack, settings
from globalcart.source.generator import GenerationParams, generate

BENCH_DATABASE = "globalcart_bench"
BENCH_END_DATE = date(2026, 1, 1)


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _bench_uri() -> str:
    source = urlsplit(settings.libpq_uri(settings.SOURCE.uri))
    return urlunsplit(source._replace(path=f"/{BENCH_DATABASE}"))


def _recreate_bench_database() -> None:
    with db.connect_maintenance(settings.SOURCE) as admin:
        admin.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(BENCH_DATABASE)))
        admin.execute(sql.SQL("create database {}").format(sql.Identifier(BENCH_DATABASE)))


def bench_generator(order_lines: int, seed: int, report: Callable[[str], None] = print) -> dict:
    """Generate ``order_lines`` into a scratch database and print throughput and peak memory."""
    localstack.start()
    _recreate_bench_database()
    params = GenerationParams(order_lines=order_lines, days=730, end_date=BENCH_END_DATE, seed=seed)
    rss_before = _peak_rss_mb()
    report(f"generator benchmark: {order_lines:,} order lines, seed {seed}, into database {BENCH_DATABASE}")
    with psycopg.connect(_bench_uri()) as conn:
        started = time.perf_counter()
        manifest = generate(conn, params, progress=lambda line: report(f"  {line}"))
        elapsed = time.perf_counter() - started
    lines = manifest["row_counts"]["order_items"]
    total_rows = sum(manifest["row_counts"].values())
    figures = {
        "order_lines": lines,
        "rows_all_tables": total_rows,
        "seconds": elapsed,
        "order_lines_per_second": lines / elapsed,
        "rows_per_second": total_rows / elapsed,
        "peak_rss_mb": _peak_rss_mb(),
        "rss_before_mb": rss_before,
    }
    report("")
    report(f"  {'measure':<34}{'value':>16}")
    report(f"  {'order lines loaded':<34}{lines:>16,}")
    report(f"  {'rows loaded, all tables':<34}{total_rows:>16,}")
    report(f"  {'wall time, end to end (s)':<34}{elapsed:>16.2f}")
    report(f"  {'order lines per second':<34}{figures['order_lines_per_second']:>16,.0f}")
    report(f"  {'rows per second, all tables':<34}{figures['rows_per_second']:>16,.0f}")
    report(f"  {'peak memory of this process (MB)':<34}{figures['peak_rss_mb']:>16,.0f}")
    report(f"  {'  of which before generating (MB)':<34}{rss_before:>16,.0f}")
    with db.connect_maintenance(settings.SOURCE) as admin:
        admin.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(BENCH_DATABASE)))
    return figures
