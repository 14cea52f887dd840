"""
### Reconcile the mirror with the source

Once a day, compares every mirror table with its source table and records the keys
that differ, so that what the `updated_at` watermark cannot see is found and repaired:
a fix in the source that left `updated_at` alone, an `updated_at` set backwards, a row
inserted with an old one, a row deleted outright.

1. `reconcile_mirror`: waits for the warehouse's run lease (`audit.run_lease`), so it
   never overlaps a run that writes the warehouse; sums a hash of every row per bucket
   of `bucket_size` keys on each side, reads again key by key only the buckets that
   differ, and records each differing key in `audit.mirror_drift` (`missing_in_mirror`,
   `deleted_in_source`, `differs`). Rows changed since the last extraction are not drift.
   When anything differs, it emails the alert recipients which tables and how many keys.

It writes only `audit`. The next run of `globalcart_incremental` re-extracts the recorded
keys whatever their `updated_at`, lets the source's version win, removes from the mirror
and the facts what the source deleted, marks the keys healed, and checks and publishes
the KPIs as usual.

Param: `bucket_size` (keys per compared bucket, default 1000).

**When it fails**
- Waiting long on the lease: another run writes the warehouse (`select * from
  audit.run_lease`); it goes on when that run ends. Nothing was compared yet.
- Failing: a database could not be reached, or a query failed; read the task log.
  It changes nothing but `audit`, so clear the task once the cause is fixed.
- A drift email is not a failure: see the runbook's "When a drift alert arrives".
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import Param, dag, task

from globalcart.tasks.common import default_args


@dag(
    dag_id="globalcart_reconcile",
    schedule=timedelta(days=1),
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["globalcart", "warehouse"],
    doc_md=__doc__,
    default_args=default_args(retries=1),
    params={
        "bucket_size": Param(1000, type="integer", minimum=1, description="Keys per compared bucket."),
    },
)
def globalcart_reconcile():
    @task(execution_timeout=timedelta(hours=2))
    def reconcile_mirror(**context) -> dict[str, int]:
        from globalcart.tasks import reconcile

        return reconcile.reconcile_mirror(context)

    reconcile_mirror()


globalcart_reconcile()
