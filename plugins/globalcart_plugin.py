"""GlobalCart 360 in the Airflow UI: the dashboards, the Data Docs and the runbook, behind Airflow's login.

The pages are served by ``globalcart.web.pages`` (a FastAPI app mounted under /globalcart);
every route requires a logged-in Airflow user, and the dashboards read the published
marts through the BI role's connection (``AIRFLOW_CONN_GLOBALCART_BI``).
"""

from __future__ import annotations

from airflow.api_fastapi.core_api.security import get_user
from airflow.plugins_manager import AirflowPlugin

from globalcart.web.dashboards import next_incremental_run
from globalcart.web.pages import create_app

CATEGORY = "GlobalCart 360"


class GlobalCartPlugin(AirflowPlugin):
    name = "globalcart"
    fastapi_apps = [
        {
            "app": create_app(user=get_user, next_run=next_incremental_run),
            "url_prefix": "/globalcart",
            "name": "GlobalCart 360",
        }
    ]
    external_views = [
        {
            "name": "Executive dashboard",
            "href": "/globalcart/dashboards/executive",
            "destination": "nav",
            "category": CATEGORY,
        },
        {
            "name": "Operations dashboard",
            "href": "/globalcart/dashboards/operations",
            "destination": "nav",
            "category": CATEGORY,
        },
        {"name": "Data Docs", "href": "/globalcart/data-docs/", "destination": "nav", "category": CATEGORY},
        {"name": "Runbook", "href": "/globalcart/docs/runbook", "destination": "nav", "category": CATEGORY},
    ]
