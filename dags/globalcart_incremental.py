"""
### Incremental load of the star schema

Keeps the warehouse's star schema in step with the shop's operational database
without full reloads. Runs start when the source changes (the triggerer watches
each table's newest `updated_at`), and on the schedule as a fallback.

1. `apply_migrations`: bring the warehouse schemas up to date (idempotent).
2. `claim_warehouse`: take the warehouse's run lease (`audit.run_lease`); it
   waits while another run writes, so runs never overlap, whatever started them.
3. `extract_changed_rows`: stream every source row changed since its table's
   watermark into `staging`, all tables from one consistent snapshot.
4. `merge_mirror.*`: per table, reject rows that break the contract (kept in
   `audit.rejected_rows` with the reason), merge the rest into `mirror` with
   newer-wins upserts, record status changes, log counts in `audit.load_runs`,
   and advance the table's watermark in the same transaction.
5. `build_dimensions.*` then `build_facts.*`: rebuild exactly the dimension
   members and facts touched by what was merged since their last build.
6. `build_kpi_candidates`: write the KPI tables aside (schema `candidate`),
   recomputing only the months whose facts changed.
7. `quality_gate.run_quality_checks`: Great Expectations checks the facts
   changed since the last publication, the candidate KPI tables, and the closed
   days against the source's own totals; results go to `audit.quality_results`
   and to Data Docs. `quality_gate.enforce_quality_gate` emails a data-quality
   alert (once per fault), and fails when a critical check failed.
8. `publish_kpi_tables`: swap the candidates into `marts` in one transaction,
   with before/after KPI snapshots (`audit.kpi_snapshot_diff`).
9. `report_run`: the run's counts per table. `announce_changes`: publishes the
   `globalcart_star_schema` asset the analytics are scheduled on, when the run
   changed anything or ends a blocked gate (skipped otherwise).
10. `release_warehouse`: give the lease back, also after a failure.

Params: `full_refresh` reloads everything from the source; `reextract_from`
(an ISO timestamp) re-reads every row changed since then. A backfill
(`airflow backfill create`) runs one window per run, each re-reading the rows
changed in its `[start, end)` without moving the watermarks. All of it is
idempotent.

**When it fails**
- `claim_warehouse` waiting: another run holds the lease (`select * from
  audit.run_lease`); a holder that is gone loses it to the next run by itself.
- `extract_changed_rows`: the source or the warehouse is unreachable (check the
  `globalcart_source` / `globalcart_warehouse` connections). Nothing was merged;
  clear the task once the database is back. "The source holds another history"
  or "the source's keys went backwards": the source was replaced or restored from
  an older backup; nothing was loaded. Trigger a run with `full_refresh`.
- `merge_mirror.*` or `build_*`: each step is one transaction, so a failed step
  changed nothing. Read the task log for the SQL error, fix the cause, clear the
  task. Watermarks only move with a successful merge, and builds catch up on
  everything merged since their last success, so a later run also heals it.
- `quality_gate.enforce_quality_gate`: a critical data-quality check failed and
  the data-quality alert email says which, with the keys of sample rows. The
  KPI tables in `marts` are unchanged. Fix the cause, then trigger a new run:
  the gate re-checks everything changed since the last publication, and a
  "recovered" email follows when it passes. Do not clear `publish_kpi_tables`
  by hand; it only ever publishes what passed.
- `quality_gate.run_quality_checks` itself failing (not a failed check) means a
  check could not run: read the task log.
- Rows rejected by the contract do not fail the run: see `audit.rejected_rows`.
- Every failed task emails the alert recipients (`GLOBALCART_ALERT_EMAILS`); a
  "stale" email says when nothing was published for longer than
  `GLOBALCART_FRESHNESS_MINUTES`, even if no task could start. Runbook: the
  GlobalCart 360 > Runbook page in this UI.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta

from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator
from airflow.sdk import (
    Asset,
    AssetOrTimeSchedule,
    AssetWatcher,
    DeltaDataIntervalTimetable,
    Param,
    PokeReturnValue,
    TaskGroup,
    chain,
    dag,
    task,
)

from globalcart.settings import SQL_DIR, WAREHOUSE_CONN_ID
from globalcart.tasks.common import WAREHOUSE_REFRESHED, default_args, quality_gate
from globalcart.tasks.source_watch import FreshnessTrigger, SourceChangeTrigger
from globalcart.warehouse.steps import DIMENSION_STEPS, FACT_STEPS, MERGE_STEPS, step_name, step_parameters

INTERVAL = timedelta(minutes=int(os.environ.get("GLOBALCART_INCREMENTAL_INTERVAL_MINUTES", "15")))
# The triggerer polls the source's newest change every few seconds: a change starts a run at once.
# It also checks, every minute, that the KPIs and analytics are not older than their limit.
SOURCE_CHANGED = Asset(
    "globalcart_source_changes",
    watchers=[
        AssetWatcher(name="globalcart_source_watch", trigger=SourceChangeTrigger()),
        AssetWatcher(name="globalcart_freshness_watch", trigger=FreshnessTrigger()),
    ],
)


def sql_step(sql_file: str) -> SQLExecuteQueryOperator:
    return SQLExecuteQueryOperator(
        task_id=step_name(sql_file),
        conn_id=WAREHOUSE_CONN_ID,
        sql=sql_file,
        parameters=step_parameters("{{ run_id }}"),
        split_statements=True,
        return_last=False,
        show_return_value_in_logs=False,
    )


@dag(
    dag_id="globalcart_incremental",
    # On every source change, and on the interval as a fallback. Interval runs cover a real
    # window [start, end), so a backfill run re-reads exactly its window.
    schedule=AssetOrTimeSchedule(timetable=DeltaDataIntervalTimetable(INTERVAL), assets=SOURCE_CHANGED),
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    template_searchpath=[str(SQL_DIR)],
    tags=["globalcart", "warehouse"],
    doc_md=__doc__,
    default_args=default_args(retries=2),
    params={
        "full_refresh": Param(False, type="boolean", description="Reload the whole source and rebuild everything."),
        "reextract_from": Param(
            None,
            type=["null", "string"],
            pattern=r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}(:?\d{2})?)?$",
            description="Re-read every source row changed since this time (ISO 8601, e.g. 2026-11-01T00:00:00Z).",
        ),
    },
)
def globalcart_incremental():
    @task
    def apply_migrations(**context) -> list[str]:
        from globalcart.tasks import incremental

        return incremental.apply_migrations(context)

    # Waits in its worker slot ("reschedule" mode races the LocalExecutor at short intervals).
    @task.sensor(poke_interval=5, timeout=6 * 3600, mode="poke")
    def claim_warehouse(**context) -> PokeReturnValue:
        from globalcart.tasks import incremental

        return PokeReturnValue(is_done=incremental.claim_warehouse(context))

    @task
    def extract_changed_rows(**context) -> dict[str, int]:
        from globalcart.tasks import incremental

        return incremental.extract_changed_rows(context)

    with TaskGroup("merge_mirror") as merge_mirror:
        for sql_file in MERGE_STEPS:
            sql_step(sql_file)

    with TaskGroup("build_dimensions") as build_dimensions:
        chain(*(sql_step(sql_file) for sql_file in DIMENSION_STEPS))

    with TaskGroup("build_facts") as build_facts:
        for sql_file in FACT_STEPS:
            sql_step(sql_file)

    @task
    def build_kpi_candidates(**context) -> str:
        from globalcart.tasks import incremental

        return incremental.build_kpi_candidates(context)

    @task
    def run_quality_checks(**context) -> dict[str, int]:
        from globalcart.tasks import incremental

        return incremental.run_quality_checks(context)

    @task
    def enforce_quality_gate(**context) -> str:
        from globalcart.tasks import incremental

        return incremental.enforce_quality_gate(context)

    @task
    def publish_kpi_tables(**context) -> list[str]:
        from globalcart.tasks import incremental

        return incremental.publish_kpi_tables(context)

    @task
    def report_run(**context) -> list[str]:
        from globalcart.tasks import incremental

        return incremental.report_run(context)

    @task(outlets=[WAREHOUSE_REFRESHED])
    def announce_changes(**context) -> str:
        from globalcart.tasks import incremental

        return incremental.announce_changes(context)

    @task
    def release_warehouse(**context) -> None:
        from globalcart.tasks import incremental

        incremental.release_warehouse(context)

    # One run writes the warehouse at a time, whatever started it: claim, work, release (always).
    claim = claim_warehouse().as_setup()
    chain(
        apply_migrations(),
        claim,
        extract_changed_rows(),
        merge_mirror,
        build_dimensions,
        build_facts,
        build_kpi_candidates(),
        quality_gate(run_quality_checks, enforce_quality_gate),
        publish_kpi_tables(),
        report_run(),
        announce_changes(),
        release_warehouse().as_teardown(setups=claim),
    )


globalcart_incremental()
