"""A published warehouse for the dashboards' tests: loaded, checked, published, analysed, read as the BI role."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from globalcart import settings
from globalcart.dev import localstack
from tests.support.stack import SOURCE_ENV, WAREHOUSE_ENV, Stack, scratch_database


def as_bi(uri: str) -> str:
    """The same database, connected to as the BI role (the local server trusts local roles)."""
    return settings.with_user(uri, settings.BI_ROLE)


@dataclass
class Published:
    stack: Stack
    bi: settings.Database


@pytest.fixture(scope="module")
def published(server_uri: str, small_history: str) -> Iterator[Published]:
    """The small history loaded, its KPIs and analytics published, once per module."""
    from globalcart.pipelines.analytics import run_analytics

    with (
        scratch_database(server_uri, template=small_history) as source_uri,
        scratch_database(server_uri) as warehouse_uri,
        pytest.MonkeyPatch.context() as patch,
    ):
        patch.setenv(SOURCE_ENV, source_uri)
        patch.setenv(WAREHOUSE_ENV, warehouse_uri)
        stack = Stack(settings.SOURCE.at(source_uri), settings.WAREHOUSE.at(warehouse_uri), server_uri)
        localstack.grant_bi_reader(stack.warehouse)
        summary = stack.run(publish=True, send_alert=lambda *_: None)
        assert summary.published, [c.name for c in summary.checks if c.failed]
        run_analytics(stack.warehouse, "analytics:dashboards", send_alert=lambda *_: None)
        yield Published(stack, settings.BI.at(as_bi(warehouse_uri)))
