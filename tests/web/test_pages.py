"""The pages the Airflow plugin serves: Data Docs and the docs, only to a logged-in user, only from their folders."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from globalcart.web.pages import create_app


@pytest.fixture
def data_docs(tmp_path: Path) -> Path:
    run = tmp_path / "kpis" / "manual__2026-12-01"
    (run / "validations" / "checked_order_lines").mkdir(parents=True)
    (run / "validations" / "checked_order_lines" / "result.html").write_text("<html>order lines checked</html>")
    (run / "index.html").write_text("<html>site</html>")
    (tmp_path.parent / "secret.txt").write_text("not for the web")
    return tmp_path


def test_the_pages_list_runs_and_serve_their_validation_pages(data_docs: Path) -> None:
    client = TestClient(create_app(data_docs_dir=data_docs))
    index = client.get("/data-docs/")
    assert index.status_code == 200 and "manual__2026-12-01" in index.text
    run = client.get("/data-docs/kpis/manual__2026-12-01/")
    assert run.status_code == 200 and "checked_order_lines" in run.text
    page = client.get("/data-docs/kpis/manual__2026-12-01/validations/checked_order_lines/result.html")
    assert page.status_code == 200 and "order lines checked" in page.text


def test_nothing_outside_the_data_docs_folder_is_served(data_docs: Path) -> None:
    client = TestClient(create_app(data_docs_dir=data_docs))
    assert client.get("/data-docs/../secret.txt").status_code == 404
    assert client.get("/data-docs/%2e%2e/secret.txt").status_code == 404
    assert client.get("/data-docs/kpis/missing/").status_code == 404


def test_the_docs_render_with_anchors_the_alerts_link_to() -> None:
    client = TestClient(create_app())
    page = client.get("/docs/quality-gate")
    assert page.status_code == 200
    assert 'id="when-a-data-quality-alert-arrives"' in page.text
    assert client.get("/docs/runbook").status_code == 200
    assert client.get("/docs/..%2fREADME").status_code == 404


def test_inside_airflow_an_anonymous_request_is_refused(data_docs: Path) -> None:
    from airflow.api_fastapi.core_api.security import get_user

    client = TestClient(create_app(user=get_user, data_docs_dir=data_docs))
    for path in ("/data-docs/", "/data-docs/kpis/manual__2026-12-01/", "/docs/runbook"):
        assert client.get(path).status_code in (401, 403), path
