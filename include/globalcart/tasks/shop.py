"""The task of ``globalcart_simulate_shop`` (development only): move the demo shop forward."""

from __future__ import annotations

from typing import Any

from globalcart.source.simulator import simulate
from globalcart.tasks.common import say

Context = dict[str, Any]


def simulate_shop(context: Context) -> list[str]:
    params = context["params"]
    reports = simulate(int(params.get("steps", 1)), float(params.get("hours", 6)), progress=say)
    return [report.summary() for report in reports]
