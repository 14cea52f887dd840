"""Freshness: a publication older than its limit alerts once, and the next publication says it recovered."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from globalcart import db
from globalcart.quality.freshness import report_stale
from tests.support.mail import Mailbox
from tests.support.stack import Stack


def test_a_stale_publication_alerts_once_and_the_next_one_recovers(stack: Stack, mailbox: Mailbox) -> None:
    from globalcart.notifications import send_email

    assert stack.run(publish=True).published
    later = datetime.now(UTC) + timedelta(minutes=90)
    with db.connect(stack.warehouse) as conn:
        assert report_stale(conn, 60, send_email, now=datetime.now(UTC)) == []
        assert report_stale(conn, 60, send_email, now=later) == ["kpis", "analytics"]  # never analysed either
        assert report_stale(conn, 60, send_email, now=later + timedelta(minutes=5)) == []
    assert len(mailbox.messages) == 2 and mailbox.subjects()[0].startswith("[GlobalCart 360] Stale: KPIs")
    assert "60 minutes" in mailbox.text(0)

    assert stack.run(publish=True).published
    assert len(mailbox.messages) == 3, mailbox.subjects()
    assert mailbox.subjects()[2].startswith("[GlobalCart 360] Recovered: KPIs published again")
    assert stack.warehouse_sql("select incident_key from audit.incidents where closed_at is null") == [
        ("freshness:analytics",)
    ]


def test_the_analytics_are_stale_only_when_the_star_schema_moved_on_without_them(
    stack: Stack, mailbox: Mailbox
) -> None:
    from globalcart.notifications import send_email

    assert stack.run(publish=True).published  # a publication that changed everything, never analysed
    later = datetime.now(UTC) + timedelta(minutes=90)
    with db.connect(stack.warehouse) as conn:
        alerted = report_stale(conn, 60, send_email, now=later)
    assert "analytics" in alerted
    assert any(s.startswith("[GlobalCart 360] Stale: analytics") for s in mailbox.subjects())
