"""GlobalCart 360 in the Airflow UI: the quality gate's Data Docs and the runbook, behind Airflow's login.

The pages are served by ``globalcart.web.pages`` (a FastAPI app mounted under /globalcart);
every route requires a logged-in Airflow user.
"""

from __future__ import annotations

from airflow.api_fastapi.core_api.security import get_user
from airflow.plugins_manager import AirflowPlugin

from globalcart.web.pages import create_app


class GlobalCartPlugin(AirflowPlugin):
    name = "globalcart"
    fastapi_apps = [{"app": create_app(user=get_user), "url_prefix": "/globalcart", "name": "GlobalCart 360"}]
    external_views = [
        {"name": "Data Docs", "href": "/globalcart/data-docs/", "destination": "nav", "category": "GlobalCart 360"},
        {"name": "Runbook", "href": "/globalcart/docs/runbook", "destination": "nav", "category": "GlobalCart 360"},
    ]
