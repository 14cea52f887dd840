"""The reconciliation of the mirror against the source, as one step: the DAG and the CLI share it.

It holds the warehouse's run lease while it compares, so it never overlaps a run that writes
the warehouse (the mirror it reads stays still), records what differs in ``audit.mirror_drift``
and emails on-call when anything does. The next incremental run repairs the drifted keys.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import datetime

from globalcart import db, run_lease
from globalcart.notifications import NO_LINKS, Links
from globalcart.quality import alert
from globalcart.quality.decision import SendAlert
from globalcart.settings import SOURCE, WAREHOUSE, Database
from globalcart.warehouse import migrations, reconcile

log = logging.getLogger(__name__)


def new_reconcile_id() -> str:
    return f"reconcile__{datetime.now().strftime('%Y%m%dT%H%M%S')}_{uuid.uuid4().hex[:6]}"


def reconcile_mirror(
    reconcile_id: str | None = None,
    *,
    source: Database = SOURCE,
    warehouse: Database = WAREHOUSE,
    bucket_size: int = reconcile.BUCKET_SIZE,
    send_alert: SendAlert | None = None,
    progress: Callable[[str], None] = lambda _: None,
    links: Links = NO_LINKS,
    lease_wait_seconds: float = 3600,
) -> reconcile.ReconcileSummary:
    """Compare, record and alert; returns what was found."""
    reconcile_id = reconcile_id or new_reconcile_id()
    with db.connect(warehouse) as conn:
        migrations.apply_migrations(conn, progress=progress)
    with run_lease.held(warehouse, reconcile_id, wait_seconds=lease_wait_seconds, progress=progress):
        summary = reconcile.reconcile(source, warehouse, reconcile_id, bucket_size=bucket_size, progress=progress)
    progress(summary.describe())
    if summary.drifted:
        email = alert.drift_alert(summary, links)
        if send_alert is None:
            from globalcart.notifications import send_email as send_alert
        try:
            send_alert(email.subject, email.html, email.text)
        except Exception as exc:  # the drift is recorded; the next run repairs it whether or not the email went
            log.error("could not send the drift alert %r: %s", email.subject, exc)
    return summary
