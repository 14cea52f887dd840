"""The ``globalcart`` command (also ``python -m globalcart``).

Every failure a user can cause (bad options, a database that is not there, a
source that already exists) ends in one line on stderr and exit status 1 or 2,
never a traceback, and leaves the databases as they were.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path

from globalcart import settings
from globalcart.errors import GlobalCartError


class _Parser(argparse.ArgumentParser):
    """argparse, but errors are one line (the usage is one `--help` away)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def _positive_int(text: str) -> int:
    try:
        value = int(text.replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be greater than 0, got {value}")
    return value


def _sizes(text: str) -> list[int]:
    return [_positive_int(part.strip()) for part in text.split(",")]


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be greater than 0, got {text}")
    return value


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}") from None


def _timestamp(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected an ISO timestamp such as 2026-11-01T00:00:00Z, got {text!r}"
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="globalcart", description="GlobalCart 360: the shop source, the local stack, Airflow.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)

    commands.add_parser("up", help="start the local PostgreSQL (if needed) and create the databases")
    commands.add_parser("down", help="stop the local PostgreSQL")
    commands.add_parser("status", help="say whether the local PostgreSQL is running")
    commands.add_parser("reset", help="stop the local PostgreSQL and delete its data")
    commands.add_parser("demo", help="run the whole job end to end on the local stack")

    generate = commands.add_parser("generate", help="fill the source database with a generated shop history")
    generate.add_argument(
        "--order-lines",
        type=_positive_int,
        default=200_000,
        help="scale: number of order lines in the history (default 200000)",
    )
    generate.add_argument("--days", type=_positive_int, default=730, help="length of the history (default 730)")
    generate.add_argument(
        "--end-date",
        type=_iso_date,
        default=None,
        help="the history ends before this date (default: today, UTC)",
    )
    generate.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    generate.add_argument(
        "--replace",
        action="store_true",
        help="replace an existing source history (otherwise an existing one is an error)",
    )
    generate.add_argument("--manifest", type=Path, default=None, help="also write the manifest to this JSON file")

    simulate = commands.add_parser("simulate", help="move the live source forward in simulated time")
    simulate.add_argument("--steps", type=_positive_int, default=1, help="number of steps (default 1)")
    simulate.add_argument("--hours", type=_positive_float, default=6.0, help="simulated hours per step (default 6)")
    simulate.add_argument(
        "--hard-case",
        action="append",
        default=[],
        dest="hard_cases",
        choices=["long_transaction", "shared_timestamp", "old_order_burst"],
        help="also produce this hard case in every step (repeatable)",
    )
    simulate.add_argument(
        "--burst-rows", type=_positive_int, default=200, help="rows touched by a hard case (default 200)"
    )

    load = commands.add_parser("load", help="run the incremental load once, in-process (what the DAG runs)")
    load.add_argument("--full-refresh", action="store_true", help="forget what was loaded and reload everything")
    load.add_argument("--since", type=_timestamp, default=None, help="re-read every row changed since this time")

    reconcile = commands.add_parser(
        "reconcile",
        help="compare the mirror with the source, record the keys that differ and email on-call"
        " (the next load repairs them)",
    )
    reconcile.add_argument(
        "--bucket-size", type=_positive_int, default=1000, help="keys per compared bucket (default 1000)"
    )

    commands.add_parser(
        "provision",
        help="create the roles, databases and grants on a PostgreSQL server and migrate the warehouse"
        " (what docker-compose's airflow-init runs)",
    )

    analytics = commands.add_parser(
        "analytics", help="build, check and publish the analytics once, in-process (what the analytics DAG runs)"
    )
    analytics.add_argument(
        "--as-of", type=_iso_date, default=None, help="analyse the shop as of this day (default: the last closed day)"
    )
    analytics.add_argument(
        "--horizon-days", type=_positive_int, default=90, help="days to forecast, 1 to 730 (default 90)"
    )

    export = commands.add_parser("export-kpis", help="write the published KPI pack to an Excel workbook")
    export.add_argument(
        "--output",
        type=Path,
        default=settings.LOCAL_DIR / "exports" / "globalcart_kpi_pack.xlsx",
        help="where to write the workbook (default .local/exports/globalcart_kpi_pack.xlsx)",
    )

    bench = commands.add_parser(
        "bench", help="measure the generator, the loads, the changes and the analytics at one or more sizes"
    )
    bench.add_argument(
        "--order-lines",
        type=_sizes,
        default=[1_000_000],
        help="order lines of the benchmark shop; a comma-separated list compares sizes (default 1000000)",
    )
    bench.add_argument("--seed", type=int, default=42)
    bench.add_argument(
        "--change-lines",
        type=_positive_int,
        default=10_000,
        help="new order lines in each measured change (default 10000: one simulator step sized to the shop's pace)",
    )
    bench.add_argument(
        "--small-change-lines",
        type=_positive_int,
        default=300,
        help="new order lines in each small change (default 300)",
    )
    bench.add_argument("--repeats", type=_positive_int, default=3, help="runs of each change size (default 3)")
    bench.add_argument(
        "--no-latency",
        dest="latency",
        action="store_false",
        help="skip the event-driven latency through a real Airflow (about 3 minutes)",
    )

    dashboards = commands.add_parser(
        "dashboards", help="serve the executive and operations dashboards on this machine, outside Airflow"
    )
    dashboards.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    dashboards.add_argument("--port", type=int, default=8051, help="port to listen on (default 8051)")

    dashboards_bench = commands.add_parser(
        "bench-dashboards", help="measure the dashboards' answer times under concurrent clients, on the local warehouse"
    )
    dashboards_bench.add_argument("--clients", type=_positive_int, default=20, help="concurrent clients (default 20)")
    dashboards_bench.add_argument(
        "--seconds", type=_positive_float, default=30.0, help="how long to keep them busy (default 30)"
    )

    commands.add_parser(
        "render-sql",
        help="render the extraction, merge and build SQL from the table contracts and include/sql/templates",
    )

    airflow = commands.add_parser("airflow", help="run an airflow command with the project's settings", add_help=False)
    airflow.add_argument("airflow_args", nargs=argparse.REMAINDER)
    commands.add_parser("env", help="print the environment (shell exports) that Airflow runs with")
    commands.add_parser("render-docs", help="rewrite the tables in docs/ that are rendered from code")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return _COMMANDS[args.command](args) or 0
    except GlobalCartError as exc:
        print(f"globalcart {args.command}: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"globalcart {args.command}: interrupted", file=sys.stderr)
        return 130


def _say(message: str) -> None:
    print(message, flush=True)


def cmd_up(_: argparse.Namespace) -> int:
    from globalcart.dev import localstack

    _say(localstack.start())
    return 0


def cmd_down(_: argparse.Namespace) -> int:
    from globalcart.dev import localstack

    _say(localstack.stop())
    return 0


def cmd_status(_: argparse.Namespace) -> int:
    from globalcart.dev import localstack

    _say(localstack.status())
    return 0


def cmd_reset(_: argparse.Namespace) -> int:
    from globalcart.dev import localstack

    _say(localstack.destroy())
    return 0


def cmd_demo(_: argparse.Namespace) -> int:
    from globalcart.dev.demo import run_demo

    run_demo(_say)
    return 0


def cmd_generate(args: argparse.Namespace) -> int:
    from globalcart.source.history import load_history

    end_date = args.end_date or datetime.now(UTC).date()
    started = time.perf_counter()
    manifest = load_history(
        order_lines=args.order_lines,
        days=args.days,
        end_date=end_date,
        seed=args.seed,
        replace=args.replace,
        progress=lambda line: _say(f"  {line}"),
    )
    elapsed = time.perf_counter() - started
    if args.manifest:
        args.manifest.write_text(json.dumps(manifest, indent=2, sort_keys=True, default=str) + "\n")
    counts = manifest.get("row_counts", {})
    _say(
        f"generated {counts.get('order_items', 0):,} order lines in {counts.get('orders', 0):,} orders"
        f" for {counts.get('customers', 0):,} customers ({args.days} days up to {end_date}) in {elapsed:.1f} s"
    )
    return 0


def cmd_simulate(args: argparse.Namespace) -> int:
    from globalcart.source.simulator import simulate

    simulate(args.steps, args.hours, args.hard_cases, args.burst_rows, progress=_say)
    return 0


def cmd_load(args: argparse.Namespace) -> int:
    from globalcart.dev.airflow_env import apply_airflow_environment
    from globalcart.pipelines.incremental import run_incremental

    apply_airflow_environment()  # the alert email goes through Airflow's SMTP connection
    summary = run_incremental(full_refresh=args.full_refresh, since=args.since, progress=_say)
    totals = summary.totals()
    _say(f"run {summary.run_id} in {sum(summary.seconds.values()):.1f} s: {totals}")
    for line in summary.table():
        _say(f"  {line}")
    if summary.published is False:
        raise GlobalCartError(f"run {summary.run_id}: the quality gate blocked publication (see audit.quality_results)")
    return 0


def cmd_reconcile(args: argparse.Namespace) -> int:
    from globalcart.dev.airflow_env import apply_airflow_environment
    from globalcart.pipelines.reconcile import reconcile_mirror

    apply_airflow_environment()  # the alert email goes through Airflow's SMTP connection
    summary = reconcile_mirror(bucket_size=args.bucket_size, progress=_say)
    if summary.drifted:
        _say(f"{summary.keys_differing:,} keys recorded in audit.mirror_drift; the next load re-extracts them")
    return 0


def cmd_provision(_: argparse.Namespace) -> int:
    from globalcart.provision import admin_database, provision, role_passwords

    provision(admin_database(), passwords=role_passwords(), progress=_say)
    return 0


def cmd_analytics(args: argparse.Namespace) -> int:
    from globalcart import db
    from globalcart.analytics.charts import write_charts
    from globalcart.analytics.report import summary_lines
    from globalcart.dev.airflow_env import apply_airflow_environment
    from globalcart.errors import QualityGateBlocked
    from globalcart.pipelines.analytics import analytics_run_id, run_analytics
    from globalcart.pipelines.incremental import new_run_id

    apply_airflow_environment()  # the alert email goes through Airflow's SMTP connection
    run_id = analytics_run_id(new_run_id())
    try:
        run_analytics(settings.WAREHOUSE, run_id, as_of=args.as_of, horizon_days=args.horizon_days, progress=_say)
    except QualityGateBlocked as exc:
        raise GlobalCartError(f"run {run_id}: {exc} (see audit.quality_results)") from None
    with db.connect(settings.WAREHOUSE) as conn:
        for line in summary_lines(conn):
            _say(line)
        for path in write_charts(conn):
            _say(f"chart: {path}")
    return 0


def cmd_export_kpis(args: argparse.Namespace) -> int:
    from globalcart.marts.export import NO_ANALYTICS, export_kpi_pack

    summary = export_kpi_pack(args.output)
    sheets = ", ".join(f"{name} ({rows:,} rows)" for name, rows in summary.sheets.items())
    _say(f"wrote {summary.path} (published by run {summary.run_id}): {sheets}")
    if summary.analytics_run_id is None:
        _say(NO_ANALYTICS)
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from globalcart.dev.bench import run_benchmarks

    run_benchmarks(
        args.order_lines,
        args.seed,
        change_lines=args.change_lines,
        small_change_lines=args.small_change_lines,
        repeats=args.repeats,
        report=_say,
        latency=args.latency,
    )
    return 0


def cmd_dashboards(args: argparse.Namespace) -> int:
    import uvicorn

    from globalcart.dev import localstack
    from globalcart.web.pages import create_app

    if localstack.uses_embedded_server():
        _say(localstack.start())
    base = f"http://{args.host}:{args.port}"
    _say(f"dashboards, reading {settings.BI.display_uri()} (the BI role):")
    _say(f"  executive   {base}/dashboards/executive")
    _say(f"  operations  {base}/dashboards/operations")
    _say(f"  Data Docs   {base}/data-docs/")
    _say("stop with Ctrl-C")
    uvicorn.run(create_app(), host=args.host, port=args.port, log_level="warning")
    return 0


def cmd_bench_dashboards(args: argparse.Namespace) -> int:
    from globalcart.dev.dashboards_bench import bench_dashboards

    bench_dashboards(args.clients, args.seconds, _say)
    return 0


def cmd_render_docs(_: argparse.Namespace) -> int:
    from globalcart.dev.docs import render_docs

    changed = render_docs()
    _say("docs: " + (", ".join(str(page) for page in changed) if changed else "every rendered table is up to date"))
    return 0


def cmd_render_sql(_: argparse.Namespace) -> int:
    from globalcart.warehouse.render import render_sql

    rendered, changed = render_sql()
    for name in changed:
        _say(f"rendered {name}")
    _say(f"{len(rendered)} SQL files rendered, {len(changed)} changed")
    return 0


def cmd_env(_: argparse.Namespace) -> int:
    from globalcart.dev.airflow_env import airflow_environment

    for key, value in sorted(airflow_environment().items()):
        _say(f"export {key}={_shell_quote(value)}")
    return 0


def cmd_airflow(args: argparse.Namespace) -> int:
    from globalcart.dev.airflow_env import airflow_environment, prepare_airflow_home

    env = {**os.environ, **airflow_environment()}
    prepare_airflow_home(env)
    executable = Path(sys.executable).with_name("airflow")
    os.execve(executable, [str(executable), *args.airflow_args], env)
    return 0  # not reached


def _shell_quote(value: str) -> str:
    import shlex

    return shlex.quote(value)


_COMMANDS = {
    "up": cmd_up,
    "down": cmd_down,
    "status": cmd_status,
    "reset": cmd_reset,
    "demo": cmd_demo,
    "generate": cmd_generate,
    "simulate": cmd_simulate,
    "load": cmd_load,
    "reconcile": cmd_reconcile,
    "analytics": cmd_analytics,
    "provision": cmd_provision,
    "export-kpis": cmd_export_kpis,
    "bench": cmd_bench,
    "dashboards": cmd_dashboards,
    "bench-dashboards": cmd_bench_dashboards,
    "render-sql": cmd_render_sql,
    "env": cmd_env,
    "render-docs": cmd_render_docs,
    "airflow": cmd_airflow,
}

__all__ = ["build_parser", "main"]
