"""The deployment as a user meets it: a real scheduler, DAG processor, triggerer and API server.

One Airflow (LocalExecutor, metadata in PostgreSQL, the API server on a port other than
Airflow's default) runs the project's DAGs against a generated shop on a PostgreSQL server
of its own, which a test stops and starts, and a warehouse on the test server; alert
emails go to a real SMTP server. The tests run in order, each on what the one before
left, as the days of one deployment:

1. the scheduled run loads the warehouse and the asset-triggered analytics follow;
2. a change written to the source (not by the simulator) starts a run within seconds;
3. a backfill of three windows re-reads each window, one run after the other;
4. a blocked quality gate alerts once, and its end says "recovered";
5. a stopped source database fails the run and alerts, the publication goes stale and alerts,
   and when the database is back the next run heals both.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import psycopg
import pytest

from globalcart import settings
from globalcart.analytics.build import ANALYSES
from globalcart.dev import localstack
from tests.support.cluster import Cluster, airflow_cluster, second_server
from tests.support.mail import Mailbox, smtp_server
from tests.support.stack import SOURCE_ENV, scratch_database, with_database

INCREMENTAL, ANALYTICS = "globalcart_incremental", "globalcart_analytics"
INTERVAL_MINUTES = 5
FRESHNESS_MINUTES = 2


class Deployment:
    def __init__(self, cluster: Cluster, mail: Mailbox, source_uri: str, warehouse_uri: str, stop, start) -> None:
        self.cluster, self.mail = cluster, mail
        self.source_uri, self.warehouse_uri = source_uri, warehouse_uri
        self.stop_source, self.start_source = stop, start

    def source(self, statement: str, params: tuple | dict | None = None) -> list[tuple]:
        with psycopg.connect(self.source_uri, autocommit=True) as conn:
            cur = conn.execute(statement, params)
            return cur.fetchall() if cur.description else []

    def warehouse(self, statement: str, params: tuple | dict | None = None) -> list[tuple]:
        with psycopg.connect(self.warehouse_uri, autocommit=True) as conn:
            conn.execute("set time zone 'UTC'")
            cur = conn.execute(statement, params)
            return cur.fetchall() if cur.description else []

    def subjects(self) -> list[str]:
        return self.mail.subjects()

    def idle(self) -> None:
        """No run of either DAG is queued or running: the next test starts from a quiet deployment."""
        self.cluster.idle(INCREMENTAL)
        self.cluster.idle(ANALYTICS)

    def trigger(self) -> str:
        run_id = f"manual__e2e_{time.time_ns()}"
        self.cluster.airflow("dags", "trigger", INCREMENTAL, "--run-id", run_id)
        return run_id


@pytest.fixture(scope="module")
def deployment(server_uri: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    from globalcart.source.history import load_history

    home = tmp_path_factory.mktemp("airflow_e2e")
    with (
        second_server(home / "source_server") as (source_server, stop, start),
        scratch_database(server_uri) as warehouse_uri,
        smtp_server() as mail,
    ):
        source_uri = with_database(source_server, "globalcart_source")
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv(SOURCE_ENV, source_uri)
            load_history(order_lines=8_000, days=60, end_date=datetime.now(UTC).date(), seed=5)
        # The dashboards the API server serves read the warehouse as the BI role.
        localstack.grant_bi_reader(settings.WAREHOUSE.at(warehouse_uri))
        connections = {
            settings.SOURCE_CONN_ID: source_uri,
            settings.WAREHOUSE_CONN_ID: warehouse_uri,
            settings.SHOP_CONN_ID: source_uri,
            settings.BI_CONN_ID: settings.with_user(warehouse_uri, settings.BI_ROLE),
        }
        extra = {
            "GLOBALCART_INCREMENTAL_INTERVAL_MINUTES": str(INTERVAL_MINUTES),
            "GLOBALCART_FRESHNESS_MINUTES": str(FRESHNESS_MINUTES),
            "GLOBALCART_RETRY_DELAY_SECONDS": "2",
        }
        with airflow_cluster(server_uri, connections, mail.port, home / "airflow", extra) as cluster:
            yield Deployment(cluster, mail, source_uri, warehouse_uri, stop, start)


def test_the_first_runs_load_the_warehouse_and_the_analytics_follow(deployment: Deployment) -> None:
    cluster = deployment.cluster
    # Unpaused at creation, on a port other than 8080: tasks reach the execution API, the run succeeds.
    first = cluster.wait_for_run(INCREMENTAL, state="success", timeout=300)
    assert first["run_type"] in ("scheduled", "asset_triggered")
    (source_lines,) = deployment.source("select count(*) from shop.order_items")[0]
    assert deployment.warehouse("select count(*) from dw.fct_order_line") == [(source_lines,)]
    analytics = cluster.wait_for_run(ANALYTICS, run_type="asset_triggered", timeout=300)
    assert analytics["state"] == "success", cluster.task_states(ANALYTICS, analytics["run_id"])
    assert deployment.warehouse("select count(*) from marts.analytics_status") == [(len(ANALYSES),)]
    assert not [s for s in deployment.subjects() if "failed" in s.lower()], deployment.subjects()
    # What a task reports reads in order in its log, before "Done": every row of the run's table.
    log = next((cluster.home / "logs").glob(f"dag_id={INCREMENTAL}/run_id={first['run_id']}/task_id=report_run/*.log"))
    events = [json.loads(line).get("event", "") for line in log.read_text().splitlines() if line.startswith("{")]
    table = [event for event in events if event.startswith(("table ", "order_items ", "orders ", "customers "))]
    assert len(table) == 4 and events.index(table[0]) < next(i for i, e in enumerate(events) if e.startswith("Done"))
    deployment.idle()


def clear_of_the_schedule(deployment: Deployment) -> None:
    """Let a scheduled run due in the next 45 s start and end first, so the change below starts a run of its own.

    A change that lands as a scheduled run starts is merged by that run, and the run the change
    itself triggers waits in the queue behind it (one run at a time).
    """
    interval = INTERVAL_MINUTES * 60
    until_next = interval - time.time() % interval
    if until_next < 45:
        time.sleep(until_next + 10)
        deployment.idle()


def test_a_change_in_the_source_starts_a_run_within_seconds(deployment: Deployment) -> None:
    cluster = deployment.cluster
    clear_of_the_schedule(deployment)
    (customer_id,) = deployment.source("select min(customer_id) from shop.customers where segment <> 'vip'")[0]
    committed = datetime.now(UTC)
    # Another application writes to the shop's database: a customer becomes a VIP.
    deployment.source("update shop.customers set segment = 'vip' where customer_id = %s", (customer_id,))
    run = cluster.wait_for_run(
        INCREMENTAL, run_type="asset_triggered", queued_at=lambda at: at is not None and at > committed, timeout=180
    )
    assert run["state"] == "success", cluster.task_states(INCREMENTAL, run["run_id"])
    waited = (run["queued_at"] - committed).total_seconds()
    assert waited < 20, (waited, [(r["run_id"], r["queued_at"], r["end_date"]) for r in cluster.runs(INCREMENTAL)[-3:]])
    assert deployment.warehouse("select segment from mirror.customers where customer_id = %s", (customer_id,)) == [
        ("vip",)
    ]
    (published_at,) = deployment.warehouse(
        "select decided_at from audit.publications where run_id = %s and outcome = 'published'", (run["run_id"],)
    )[0]
    print(f"source commit to published KPIs through the scheduler: {(published_at - committed).total_seconds():.1f} s")
    # A run that changed nothing does not wake the analytics.
    analytics_before = len(cluster.runs(ANALYTICS))
    idle_run = deployment.trigger()
    cluster.wait_for_run(INCREMENTAL, run_id=idle_run, state="success", timeout=180)
    assert cluster.task_states(INCREMENTAL, idle_run)["announce_changes"] == "skipped"
    time.sleep(5)
    assert len(cluster.runs(ANALYTICS)) <= analytics_before + 1  # at most the one the VIP change started
    deployment.idle()


def test_a_backfill_of_three_windows_re_reads_each_window_one_run_at_a_time(deployment: Deployment) -> None:
    cluster = deployment.cluster
    # Three windows two hours back, aligned to the schedule; in each, a customer restored into the source
    # (a writer other than the shop, with its own timestamps): rows the watermarks are long past.
    width = timedelta(minutes=INTERVAL_MINUTES)
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=2)
    windows = [(start + i * width, start + (i + 1) * width) for i in range(3)]
    restored = []
    for i, (low, _high) in enumerate(windows):
        at = low + timedelta(seconds=30 + i)
        (customer_id,) = deployment.source(
            """insert into shop.customers (email, full_name, region, country_code, segment, acquisition_channel,
                   signed_up_at, created_at, updated_at)
               values (%s, 'Restored Customer', 'europe', 'DE', 'consumer', 'web', %s, %s, %s) returning customer_id""",
            (f"restored-{i}-{time.time_ns()}@example.com", at, at, at),
        )[0]
        restored.append(customer_id)
    deployment.idle()
    cluster.airflow(
        "backfill",
        "create",
        "--dag-id",
        INCREMENTAL,
        "--from-date",
        windows[0][0].isoformat(),
        "--to-date",
        windows[-1][0].isoformat(),
        "--reprocess-behavior",
        "completed",
    )
    backfill = cluster.wait_for(
        "three backfill runs",
        lambda: (
            (runs := [r for r in cluster.runs(INCREMENTAL) if r["run_type"] == "backfill"]) and len(runs) >= 3 and runs
        ),
        timeout=60,
    )
    for run in backfill:
        cluster.wait_for_run(INCREMENTAL, run_id=run["run_id"], timeout=300)
    backfill = [r for r in cluster.runs(INCREMENTAL) if r["run_type"] == "backfill"]
    assert [r["state"] for r in backfill] == ["success"] * 3, [
        cluster.task_states(INCREMENTAL, r["run_id"]) for r in backfill
    ]
    assert sorted((r["start"], r["end"]) for r in backfill) == windows
    for run in backfill:
        # Each run re-read exactly its window, and moved no watermark.
        extracted = dict(
            deployment.warehouse(
                "select table_name, extracted_rows from audit.load_runs where run_id = %s", (run["run_id"],)
            )
        )
        (in_window,) = deployment.source(
            "select count(*) from shop.customers where updated_at >= %s and updated_at < %s", (run["start"], run["end"])
        )[0]
        assert extracted["customers"] == in_window >= 1
    assert deployment.warehouse("select count(*) from mirror.customers where customer_id = any(%s)", (restored,)) == [
        (3,)
    ]
    assert_runs_never_overlapped(cluster)
    deployment.idle()


def assert_runs_never_overlapped(cluster: Cluster) -> None:
    """From taking the warehouse to giving it back, no two runs' writes overlap in time."""
    held = cluster.meta(
        """select c.run_id, c.end_date, r.start_date from task_instance c
           join task_instance r on r.dag_id = c.dag_id and r.run_id = c.run_id and r.task_id = 'release_warehouse'
           where c.dag_id = %s and c.task_id = 'claim_warehouse' and c.state = 'success' and r.start_date is not null
           order by c.end_date""",
        (INCREMENTAL,),
    )
    for (run_a, _, released_a), (run_b, claimed_b, _) in zip(held, held[1:], strict=False):
        assert claimed_b >= released_a, f"{run_b} took the warehouse before {run_a} gave it back"


def test_a_blocked_gate_alerts_once_and_says_when_it_recovered(deployment: Deployment) -> None:
    cluster = deployment.cluster
    (line_id, gross, discount, net) = deployment.warehouse(
        "select order_item_id, gross_amount, discount_amount, net_amount from dw.fct_order_line"
        " where not is_cancelled order by order_item_id limit 1"
    )[0]
    deployment.warehouse(
        "update dw.fct_order_line set discount_amount = gross_amount + 5, net_amount = -5,"
        " source_updated_at = now() where order_item_id = %s",
        (line_id,),
    )
    sent_before = len(deployment.subjects())
    for _ in range(2):
        run_id = deployment.trigger()
        run = cluster.wait_for_run(INCREMENTAL, run_id=run_id, timeout=240)
        assert run["state"] == "failed"
        assert cluster.task_states(INCREMENTAL, run_id)["quality_gate.enforce_quality_gate"] == "failed"
    new = deployment.subjects()[sent_before:]
    assert len([s for s in new if "NOT published" in s]) == 1, new
    assert not [s for s in new if "Task failed" in s], new
    alert = deployment.mail.messages[sent_before]
    text = next(p for p in alert.walk() if p.get_content_type() == "text/plain").get_payload(decode=True).decode()
    assert "order_line_net_not_negative" in text and str(line_id) in text
    assert f"{cluster.base_url}/dags/{INCREMENTAL}/runs/" in text
    assert f"{cluster.base_url}/globalcart/data-docs/" in text
    assert f"{cluster.base_url}/globalcart/docs/quality-gate#when-a-data-quality-alert-arrives" in text
    # The Data Docs link works over HTTP, for a logged-in Airflow user only.
    data_docs = re.search(rf"Data Docs: ({re.escape(cluster.base_url)}\S+)", text).group(1)
    assert httpx.get(data_docs).status_code in (401, 403)
    token = httpx.post(f"{cluster.base_url}/auth/token", json={"username": "admin", "password": "admin"}).json()
    logged_in = {"Authorization": f"Bearer {token['access_token']}"}
    page = httpx.get(data_docs, headers=logged_in)
    assert page.status_code == 200 and "checked_order_lines" in page.text
    # The dashboards, served by the API server to a logged-in user only, say the last run was blocked.
    dashboards = f"{cluster.base_url}/globalcart"
    assert httpx.get(f"{dashboards}/dashboards/executive").status_code in (401, 403)
    assert httpx.get(f"{dashboards}/api/dashboards/status").status_code in (401, 403)
    assert httpx.get(f"{dashboards}/dashboards/executive", headers=logged_in).status_code == 200
    status = httpx.get(f"{dashboards}/api/dashboards/status", headers=logged_in).json()["kpis"]
    assert status["state"] == "blocked" and "order_line_net_not_negative" in status["message"], status
    freshness = httpx.get(f"{dashboards}/api/dashboards/operations/freshness", headers=logged_in).json()
    assert freshness["data"]["next_run"], freshness["data"]  # Airflow knows when the DAG runs next

    deployment.warehouse(
        "update dw.fct_order_line set discount_amount = %s, net_amount = %s, source_updated_at = now()"
        " where order_item_id = %s",
        (discount, net, line_id),
    )
    assert gross is not None
    run_id = deployment.trigger()
    assert cluster.wait_for_run(INCREMENTAL, run_id=run_id, timeout=240)["state"] == "success"
    recovered = [s for s in deployment.subjects()[sent_before:] if "recovered" in s.lower()]
    assert len(recovered) == 1, deployment.subjects()[sent_before:]
    deployment.idle()


def test_a_stopped_database_alerts_goes_stale_alerts_once_and_heals(deployment: Deployment) -> None:
    cluster = deployment.cluster
    sent_before = len(deployment.subjects())
    deployment.stop_source()
    try:
        failed = deployment.trigger()
        run = cluster.wait_for_run(INCREMENTAL, run_id=failed, timeout=240)
        assert run["state"] == "failed"
        cluster.wait_for(
            "the task failure email",
            lambda: [s for s in deployment.subjects()[sent_before:] if "Task failed" in s],
            timeout=60,
        )
        # No run succeeds for longer than the freshness limit: the triggerer's deadline check alerts, once.
        stale = cluster.wait_for(
            "the stale-publication email",
            lambda: [s for s in deployment.subjects()[sent_before:] if "Stale: KPIs" in s],
            timeout=FRESHNESS_MINUTES * 60 + 120,
        )
        assert len(stale) == 1
    finally:
        deployment.start_source()
    healed = deployment.trigger()
    assert cluster.wait_for_run(INCREMENTAL, run_id=healed, timeout=240)["state"] == "success"
    cluster.wait_for(
        "the recovered email",
        lambda: [s for s in deployment.subjects()[sent_before:] if s.startswith("[GlobalCart 360] Recovered")],
        timeout=60,
    )
    assert len([s for s in deployment.subjects()[sent_before:] if "Stale" in s]) == 1
    deployment.idle()
    assert_runs_never_overlapped(cluster)
