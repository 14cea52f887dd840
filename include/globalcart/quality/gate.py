"""Run the quality gate: define what the run touched, reconcile with the source, validate with Great Expectations.

The results of every check are kept in ``audit.quality_results`` (one row per
check and run, with a sample of the rows that broke it) and as Data Docs in
``DATA_DOCS_DIR/<run>/``. Great Expectations does not raise on a failed
validation: ``enforce`` (in ``alerts``) reads the results and decides.
"""

from __future__ import annotations

import functools
import importlib
import json
import logging
import os
import re
import shutil
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

import psycopg
from psycopg import sql

from globalcart import db
from globalcart.quality.checks import ASSET_KEYS, CHECKS, Check
from globalcart.settings import DATA_DOCS_DIR, Database, libpq_uri

SAMPLE_ROWS = 5
# Data Docs take a few MB per run, kept per publication (kpis/, analytics/) for this many days and
# within this size, the newest always; audit.quality_results keeps every run's outcome and samples for good.
DATA_DOCS_KEEP_DAYS = float(os.environ.get("GLOBALCART_DATA_DOCS_KEEP_DAYS", "14"))
DATA_DOCS_MAX_MB = float(os.environ.get("GLOBALCART_DATA_DOCS_MAX_MB", "500"))


@dataclass(frozen=True)
class CheckResult:
    name: str
    suite: str
    severity: str
    description: str
    success: bool
    unexpected_count: int | None
    sample: list[Any]
    error: str | None
    data_docs: str | None

    @property
    def failed(self) -> bool:
        return not self.success


@dataclass(frozen=True)
class Scope:
    run_id: str
    checked_from: str
    reconciled_from: date
    reconciled_through: date
    source_cutoff: datetime

    def describe(self) -> str:
        facts = "all facts" if self.checked_from == "-infinity" else f"facts changed since {self.checked_from} UTC"
        if self.reconciled_from > self.reconciled_through:
            days = "no closed day"
        else:
            days = f"closed days {self.reconciled_from} to {self.reconciled_through}"
        return f"quality scope: {facts}; {days}"


def define_scope(warehouse_conn: psycopg.Connection, run_id: str) -> Scope:
    ((row),) = db.fetch_all(warehouse_conn, "quality/define_quality_scope.sql", {"run_id": run_id})
    warehouse_conn.commit()
    return Scope(*row)


@dataclass(frozen=True)
class Reconciliation:
    days: int
    source_lines: int
    changed_since_extraction: int  # order lines left out of both sides: changed since the extraction
    held_back: int  # order lines, orders and returns left out of both sides: refused by the contract

    def describe(self) -> str:
        return (
            f"reconciliation: {self.source_lines:,} source order lines on {self.days:,} days compared with the"
            f" warehouse; left out of both sides: {self.changed_since_extraction:,} lines changed since the"
            f" extraction, {self.held_back:,} rows held back by the contract"
        )


def reconcile_source_totals(
    source_conn: psycopg.Connection, warehouse_conn: psycopg.Connection, scope: Scope
) -> Reconciliation:
    """Store the source's totals for the days to reconcile, and stage them beside the warehouse's.

    The days are every order day the gate's facts changed on, the days marked changed since the
    last publication and the window's closed days. Both sides leave out the same rows: those the
    source wrote after the extraction saw it completely (whatever their creation times), and
    those the warehouse holds back on purpose. Needs the checked facts staged first.
    """
    ((order_dates,),) = db.fetch_all(warehouse_conn, "quality/select_reconciled_days.sql", {"run_id": scope.run_id})
    ((item_ids, order_ids, return_ids, customer_ids),) = db.fetch_all(
        warehouse_conn, "quality/select_excluded_keys.sql"
    )
    coverage = {
        f"{table}_complete_before": complete_before
        for table, complete_before in db.fetch_all(
            warehouse_conn, "quality/select_extraction_coverage.sql", {"run_id": scope.run_id}
        )
    }
    warehouse_conn.rollback()
    excluded = {
        "excluded_order_item_ids": item_ids,
        "excluded_order_ids": order_ids,
        "excluded_return_ids": return_ids,
        "excluded_customer_ids": customer_ids,
    }
    columns = (
        "order_date",
        "region",
        "order_lines",
        "cancelled_lines",
        "gross_amount",
        "discount_amount",
        "kept_gross_amount",
        "kept_discount_amount",
        "refund_amount",
    )
    # The keys changed since the extraction and the totals, from one snapshot of the source.
    source_conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
    source_conn.read_only = True
    with db.transaction(source_conn):
        ((changed_items, changed_returns, changed_customers),) = db.fetch_all(
            source_conn, "source/select_changed_since_extraction.sql", coverage
        )
        # The source adds up its days on its own connection while the warehouse adds up its own:
        # each side reads as many lines as the days hold, and the two run on two cores at once.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="source-totals") as pool:
            source_totals = (
                pool.submit(
                    db.fetch_all,
                    source_conn,
                    "source/select_daily_order_totals.sql",
                    {**coverage, **excluded, "order_dates": order_dates},
                )
                if order_dates
                else None
            )
            with db.transaction(warehouse_conn), warehouse_conn.cursor() as cur:
                db.execute_statements(
                    warehouse_conn,
                    "quality/stage_warehouse_daily_totals.sql",
                    {
                        "order_date_keys": [int(f"{day:%Y%m%d}") for day in order_dates],
                        **excluded,
                        "changed_order_item_ids": changed_items,
                        "changed_return_ids": changed_returns,
                        "changed_customer_ids": changed_customers,
                    },
                )
                totals = source_totals.result() if source_totals else []
                db.run_sql_file(warehouse_conn, "quality/delete_source_daily_totals.sql", {"run_id": scope.run_id})
                cur.executemany(
                    db.sql_text("quality/record_source_daily_totals.sql"),
                    [{"run_id": scope.run_id, **dict(zip(columns, row, strict=True))} for row in totals],
                )
                db.execute_statements(warehouse_conn, "quality/stage_reconciled_days.sql", {"run_id": scope.run_id})
    return Reconciliation(
        days=len(order_dates),
        source_lines=sum(row[2] for row in totals),
        changed_since_extraction=len(changed_items),
        held_back=len(item_ids) + len(order_ids) + len(return_ids),
    )


def stage_checked_rows(conn: psycopg.Connection, scope: Scope) -> None:
    """Copy the facts the gate checks aside, so each check reads a small table."""
    db.run_sql_step(conn, "quality/stage_checked_rows.sql", {"checked_from": scope.checked_from})


def _query(sql_file: str) -> str:
    """A SQL file as Great Expectations wants it: one statement, no comments, no trailing semicolon."""
    return db.without_comments(db.sql_text(sql_file))


def _rows_query(check: Check) -> str:
    """The check's query, reading the batch's rows as ``batch``."""
    query = _query(check.rows_query)
    batch = "batch as (select * from {batch})"
    if re.match(r"(?i)with\s", query):
        return re.sub(r"(?i)^with\s", f"with {batch}, ", query, count=1)
    return f"with {batch} {query}"


@functools.cache
def _unexpected_row_count_expectation() -> type:
    """Great Expectations' UnexpectedRowsExpectation, counting the rows only.

    The original runs each query twice, once for the count and once for the rows; the gate
    needs the count, and reads a few rows itself for a check that failed (``with_row_samples``).
    """
    import great_expectations as gx

    class UnexpectedRowCountExpectation(gx.expectations.UnexpectedRowsExpectation):
        metric_dependencies: ClassVar[tuple[str, ...]] = ("unexpected_rows_query.row_count",)

        def _validate(self, metrics: dict, runtime_configuration: dict | None = None, execution_engine=None) -> dict:
            count = metrics["unexpected_rows_query.row_count"]
            return {"success": count == 0, "result": {"observed_value": count}}

    return UnexpectedRowCountExpectation


def _expectation(check: Check):
    import great_expectations as gx

    meta = {"check": check.name, "suite": check.suite}
    common = {"meta": meta, "severity": check.severity, "description": check.description}
    if check.rows_query:
        return _unexpected_row_count_expectation()(unexpected_rows_query=_rows_query(check), **common)
    arguments = {key: value for key, value in check.arguments.items() if value is not None}
    return getattr(gx.expectations, check.expectation)(**arguments, **common)


def great_expectations_url(database: Database) -> str:
    """The warehouse as a SQLAlchemy URL on psycopg 3."""
    return re.sub(r"^postgres(ql)?://", "postgresql+psycopg://", libpq_uri(database.uri))


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _outcome(check: Check, result, data_docs: str | None) -> CheckResult:
    details = result.result or {}
    error = None
    exception_info = result.exception_info or {}
    if exception_info.get("raised_exception"):
        error = str(exception_info.get("exception_message") or "the check could not run").splitlines()[0]
    if check.rows_query:
        count = details.get("observed_value")
        sample = []  # the count-only expectation returns no rows: with_row_samples reads them for a failed check
    else:
        count = details.get("unexpected_count")
        sample = details.get("partial_unexpected_list") or []
    return CheckResult(
        name=check.name,
        suite=check.suite,
        severity=check.severity,
        description=check.description,
        success=bool(result.success) and error is None,
        unexpected_count=None if count is None else int(count),
        sample=_plain(list(sample)[:SAMPLE_ROWS]),
        error=error,
        data_docs=data_docs,
    )


def validate(
    warehouse: Database,
    run_id: str,
    *,
    checks: tuple[Check, ...] = CHECKS,
    data_docs_dir: Path = DATA_DOCS_DIR,
    publication: str = "kpis",
    progress: Callable[[str], None] = lambda _: None,
) -> list[CheckResult]:
    """Run every check through Great Expectations; the scope must be defined first.

    Data Docs go to ``data_docs_dir/<publication>/<run>/``, kept by age and size per publication.
    """
    started = time.perf_counter()
    logging.getLogger("great_expectations").setLevel(logging.WARNING)  # its INFO lines would drown the task log
    import great_expectations as gx
    from great_expectations.data_context.types.resource_identifiers import ExpectationSuiteIdentifier

    progress(f"Great Expectations {gx.__version__} imported in {time.perf_counter() - started:.1f} s")
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)  # task logs get one line per step instead
    docs_dir = data_docs_dir / publication / re.sub(r"[^A-Za-z0-9_.-]+", "_", run_id)
    context.add_data_docs_site(
        site_name="globalcart",
        site_config={
            "class_name": "SiteBuilder",
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(docs_dir)},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        },
    )
    source = context.data_sources.add_postgres("warehouse", connection_string=great_expectations_url(warehouse))
    batches = {}
    for asset_name in dict.fromkeys(check.asset for check in checks):
        asset = source.add_query_asset(asset_name, query=_query(f"quality/assets/{asset_name}.sql"))
        batches[asset_name] = asset.add_batch_definition_whole_table(asset_name)
    suites = {}
    for check in checks:
        if check.asset not in suites:
            suites[check.asset] = context.suites.add(gx.ExpectationSuite(name=check.asset))
        suites[check.asset].add_expectation(_expectation(check))
    definitions = [
        context.validation_definitions.add(gx.ValidationDefinition(name=name, data=batches[name], suite=suite))
        for name, suite in suites.items()
    ]
    checkpoint = context.checkpoints.add(
        gx.Checkpoint(
            name="globalcart_quality_gate",
            validation_definitions=definitions,
            result_format={"result_format": "SUMMARY", "partial_unexpected_count": SAMPLE_ROWS},
        )
    )
    progress(f"{len(checks)} checks on {len(batches)} assets set up in {time.perf_counter() - started:.1f} s")
    run = checkpoint.run(run_id=gx.RunIdentifier(run_name=run_id))
    progress(f"validated in {time.perf_counter() - started:.1f} s")
    # One build for every suite and result (Great Expectations' own action rebuilds the site once per suite).
    context.build_data_docs(
        site_names=["globalcart"],
        resource_identifiers=[
            *run.run_results,
            *(ExpectationSuiteIdentifier(name=name) for name in suites),
        ],
    )
    index = docs_dir / "index.html"
    data_docs = str(index) if index.exists() else None
    by_name = {check.name: check for check in checks}
    results = []
    for validation in run.run_results.values():
        for result in validation.results:
            check = by_name[result.expectation_config.meta["check"]]
            results.append(_outcome(check, result, data_docs))
    progress(f"Data Docs built in {time.perf_counter() - started:.1f} s: {data_docs}")
    prune_data_docs(data_docs_dir / publication)
    return sorted(results, key=lambda r: [c.name for c in checks].index(r.name))


def with_row_samples(
    conn: psycopg.Connection, results: list[CheckResult], checks: tuple[Check, ...] = CHECKS
) -> list[CheckResult]:
    """A few offending rows of each failed check, keys first, so an alert's reader can find them.

    Great Expectations' SUMMARY results count a row query's rows only, and give a column check's
    values without the rows they belong to: both are read here instead.
    """
    from dataclasses import replace

    by_name = {check.name: check for check in checks}
    sampled = []
    for result in results:
        check = by_name.get(result.name)
        if result.failed and not result.error and check is not None:
            query, params = _offending_rows(check)
            if query is not None:
                with conn.cursor() as cur:
                    cur.execute(query, params)
                    columns = [column.name for column in cur.description]
                    rows = [dict(zip(columns, row, strict=True)) for row in cur.fetchall()]
                conn.rollback()
                keys = [key for key in ASSET_KEYS.get(check.asset, ()) if key in columns]
                rows = [{**{key: row[key] for key in keys}, **row} for row in rows]
                result = replace(result, sample=_plain(rows))
        sampled.append(result)
    return sampled


def _offending_rows(check: Check) -> tuple[sql.Composable | None, dict]:
    """The query for up to SAMPLE_ROWS rows that break the check, with their keys."""
    asset_text = _query(f"quality/assets/{check.asset}.sql")
    if check.rows_query:
        rows = _rows_query(check).replace("{batch}", f"({asset_text}) as rows_checked")
        return sql.SQL(f"select * from ({rows}) as offending limit {SAMPLE_ROWS}"), {}  # noqa: S608 - our SQL files
    asset = sql.SQL(asset_text)
    limit = sql.Literal(SAMPLE_ROWS)
    column = check.arguments.get("column")
    if column is None:
        return None, {}
    keys = [key for key in ASSET_KEYS.get(check.asset, ()) if key != column]
    value = sql.Identifier(column)
    if check.expectation == "ExpectColumnValuesToNotBeNull":
        broken, params = sql.SQL("{} is null").format(value), {}
    elif check.expectation == "ExpectColumnValuesToBeBetween":
        low, high = check.arguments.get("min_value"), check.arguments.get("max_value")
        parts = [sql.SQL("{} < %(low)s").format(value)] if low is not None else []
        parts += [sql.SQL("{} > %(high)s").format(value)] if high is not None else []
        broken, params = sql.SQL(" or ").join(parts), {"low": low, "high": high}
    else:
        return None, {}
    query = sql.SQL("select {columns} from ({asset}) as rows_checked where {broken} limit {limit}").format(
        columns=sql.SQL(", ").join(sql.Identifier(name) for name in [*keys, column]),
        asset=asset,
        broken=broken,
        limit=limit,
    )
    return query, params


def record_results(conn: psycopg.Connection, run_id: str, results: list[CheckResult]) -> None:
    with db.transaction(conn), conn.cursor() as cur:
        cur.executemany(
            db.sql_text("quality/record_quality_result.sql"),
            [
                {
                    "run_id": run_id,
                    "check_name": r.name,
                    "suite": r.suite,
                    "severity": r.severity,
                    "description": r.description,
                    "success": r.success,
                    "unexpected_count": r.unexpected_count,
                    "sample": json.dumps(r.sample),
                    "error": r.error,
                    "data_docs": r.data_docs,
                }
                for r in results
            ],
        )


def prune_data_docs(
    docs_dir: Path,
    *,
    keep_days: float = DATA_DOCS_KEEP_DAYS,
    max_mb: float = DATA_DOCS_MAX_MB,
    now: float | None = None,
) -> list[Path]:
    """Delete the runs' Data Docs older than ``keep_days``, then the oldest until the rest fit in ``max_mb``.

    The newest run always keeps its Data Docs (its alert links to them). Returns what was deleted.
    """
    if not docs_dir.is_dir():
        return []
    runs = sorted((p for p in docs_dir.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime, reverse=True)
    now = time.time() if now is None else now
    kept, deleted, total = [], [], 0
    for index, run in enumerate(runs):
        size = sum(f.stat().st_size for f in run.rglob("*") if f.is_file())
        too_old = now - run.stat().st_mtime > keep_days * 86_400
        too_big = total + size > max_mb * 1024 * 1024
        if index > 0 and (too_old or too_big):
            shutil.rmtree(run, ignore_errors=True)
            deleted.append(run)
        else:
            kept.append(run)
            total += size
    return deleted


def stored_results(conn: psycopg.Connection, run_id: str) -> list[CheckResult]:
    return [CheckResult(*row) for row in db.fetch_all(conn, "quality/select_quality_results.sql", {"run_id": run_id})]


def _import_great_expectations_meanwhile() -> None:
    """Start importing Great Expectations in the background while the scope and the reconciliation run.

    A fresh task process spends 4 to 6 s on the import; the SQL before the validation waits on the
    database, so the two overlap. ``validate`` imports it again, which waits for this import to end
    (and raises its error, if it failed).
    """
    if "great_expectations" not in sys.modules:
        threading.Thread(target=importlib.import_module, args=("great_expectations",), daemon=True).start()


def run_quality_checks(
    source: Database,
    warehouse: Database,
    run_id: str,
    *,
    data_docs_dir: Path = DATA_DOCS_DIR,
    progress: Callable[[str], None] = lambda _: None,
) -> list[CheckResult]:
    """Scope, reconcile, validate and record: the gate's checks for one run (safe to repeat)."""
    _import_great_expectations_meanwhile()
    with db.connect(warehouse) as warehouse_conn, db.connect(source) as source_conn:
        scope = define_scope(warehouse_conn, run_id)
        progress(scope.describe())
        stage_checked_rows(warehouse_conn, scope)
        progress(reconcile_source_totals(source_conn, warehouse_conn, scope).describe())
        results = with_row_samples(
            warehouse_conn, validate(warehouse, run_id, data_docs_dir=data_docs_dir, progress=progress)
        )
        record_results(warehouse_conn, run_id, results)
    return results


def results_table(results: list[CheckResult]) -> list[str]:
    lines = [f"{'check':<42}{'suite':<16}{'severity':<10}{'outcome':<8}{'rows':>8}"]
    for r in results:
        outcome = "error" if r.error else ("pass" if r.success else "FAIL")
        count = "" if r.unexpected_count is None else f"{r.unexpected_count:,}"
        lines.append(f"{r.name:<42}{r.suite:<16}{r.severity:<10}{outcome:<8}{count:>8}")
    return lines
