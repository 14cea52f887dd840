"""The analytics read only facts a KPI publication passed, in-process as under Airflow.

After a blocked KPI publication they refuse with a one-line reason and publish nothing; while
another run is writing the warehouse they wait for its publication.
"""

from __future__ import annotations

import threading
import time

import pytest

from globalcart import db, run_lease
from globalcart.analytics import build
from globalcart.errors import FactsNotPublished
from globalcart.marts.publish import build_candidates, publish_candidates
from globalcart.pipelines.analytics import run_analytics
from tests.support.mail import Mailbox
from tests.support.stack import Stack
from tests.test_cli import assert_one_line_error, run_cli

ANALYTICS_PUBLISHED = """
    select (select count(*) from marts.customer_rfm), (select array_agg(reason order by analysis) from
    marts.analytics_status), (select count(*) from marts.revenue_forecast)
"""


@pytest.fixture
def analysed(stack: Stack, mailbox: Mailbox) -> Stack:
    """A warehouse loaded, published and analysed once, cleanly."""
    assert stack.run(publish=True).published is True
    run_analytics(stack.warehouse, "analytics:first", send_alert=lambda *_: None)
    return stack


def block_the_next_publication(stack: Stack) -> str:
    """A fact the gate must refuse (a negative net amount), loaded by the next run, which it blocks."""
    stack.warehouse_sql(
        """update dw.fct_order_line set discount_amount = gross_amount + 5, net_amount = -5,
                  source_updated_at = now()
           where order_item_id = (select min(order_item_id) from dw.fct_order_line where not is_cancelled)"""
    )
    summary = stack.run(publish=True, send_alert=lambda *_: None)
    assert summary.published is False
    return summary.run_id


def test_after_a_blocked_kpi_publication_the_analytics_refuse_and_publish_nothing(analysed: Stack) -> None:
    before = analysed.warehouse_sql(ANALYTICS_PUBLISHED)
    blocked_run = block_the_next_publication(analysed)

    with pytest.raises(FactsNotPublished) as refused:
        run_analytics(analysed.warehouse, "analytics:after-blocked", send_alert=lambda *_: None)

    message = str(refused.value)
    assert "\n" not in message
    assert f"the quality gate blocked run {blocked_run}" in message
    ((failed,),) = analysed.warehouse_sql(
        "select failed_critical from audit.publications where run_id = %s", (blocked_run,)
    )
    assert failed and f"({', '.join(failed)})" in message
    assert analysed.warehouse_sql(ANALYTICS_PUBLISHED) == before
    assert analysed.warehouse_sql(
        "select count(*) from audit.publications where run_id = 'analytics:after-blocked'"
    ) == [(0,)]
    assert analysed.warehouse_sql("select to_regclass('candidate.analytics_build') is null") == [(True,)]
    # The command says the same in one line, and exits non-zero.
    assert_one_line_error(run_cli("analytics"), f"the quality gate blocked run {blocked_run}")


def test_facts_that_never_reached_the_gate_are_refused_too(stack: Stack) -> None:
    assert stack.run(publish=False).published is None
    with pytest.raises(FactsNotPublished, match="there is none yet"):
        run_analytics(stack.warehouse, "analytics:unchecked", send_alert=lambda *_: None)


def test_the_analytics_wait_for_the_run_writing_the_warehouse_to_publish(
    analysed: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(build, "WAIT_FOR_PUBLICATION_SECONDS", 120)
    with db.connect(analysed.warehouse) as writer:
        assert run_lease.try_take(writer, "writer") is None
        # The writer's merge moves a fact: its day is marked until a publication covers it.
        analysed.warehouse_sql(
            """update dw.fct_order_line set source_updated_at = now()
               where order_item_id = (select max(order_item_id) from dw.fct_order_line)"""
        )
        lines: list[str] = []
        outcome: list[object] = []

        def analyse() -> None:
            try:
                run_analytics(
                    analysed.warehouse, "analytics:waiting", send_alert=lambda *_: None, progress=lines.append
                )
                outcome.append("published")
            except Exception as exc:  # the assertion below shows it
                outcome.append(exc)

        waiting = threading.Thread(target=analyse)
        waiting.start()
        time.sleep(4)
        assert waiting.is_alive() and outcome == []
        assert "waiting for run writer, which is writing the warehouse, to publish its facts" in lines
        assert analysed.warehouse_sql("select count(*) from audit.publications where run_id = 'analytics:waiting'") == [
            (0,)
        ]

        build_candidates(writer, "writer")
        publish_candidates(writer, "writer")
        run_lease.release(writer, "writer")
        waiting.join(timeout=300)

    assert outcome == ["published"]
    assert analysed.warehouse_sql("select outcome from audit.publications where run_id = 'analytics:waiting'") == [
        ("published",)
    ]


def test_the_run_that_ends_a_blocked_gate_wakes_the_analytics_they_catch_up(analysed: Stack) -> None:
    # A source change the blocked run merges: its facts wait behind the gate, and so do the analytics.
    analysed.source_sql(
        "update shop.orders set updated_at = now() where order_id = (select max(order_id) from shop.orders)"
    )
    ((line_id, discount, net),) = analysed.warehouse_sql(
        "select order_item_id, discount_amount, net_amount from dw.fct_order_line"
        " where order_item_id = (select min(order_item_id) from dw.fct_order_line where not is_cancelled)"
    )
    block_the_next_publication(analysed)
    with pytest.raises(FactsNotPublished):
        run_analytics(analysed.warehouse, "analytics:skipped", send_alert=lambda *_: None)

    analysed.warehouse_sql(
        "update dw.fct_order_line set discount_amount = %s, net_amount = %s, source_updated_at = now()"
        " where order_item_id = %s",
        (discount, net, line_id),
    )
    healed = analysed.run(publish=True, send_alert=lambda *_: None)
    assert healed.published is True
    assert healed.totals()["inserted"] + healed.totals()["updated"] == 0  # the blocked run merged the change
    assert healed.wakes_analytics is True

    run_analytics(analysed.warehouse, "analytics:caught-up", send_alert=lambda *_: None)
    assert analysed.run(publish=True, send_alert=lambda *_: None).wakes_analytics is False
