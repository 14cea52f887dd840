"""`globalcart bench-dashboards`: how fast the dashboards answer under load. Measured figures, printed.

The app runs as `globalcart dashboards` in a process of its own (as it does for its
users), reading the local warehouse as the BI role. Client threads on loopback request
the pages and every panel endpoint, each with filters drawn at random from the
published values, for a fixed time. Server time is the app's own ``Server-Timing``
header; the client's round trip is printed beside it.
"""

from __future__ import annotations

import os
import random
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from globalcart import db, settings
from globalcart.errors import GlobalCartError

FILTERED = ("executive/tiles", "executive/trend", "operations/on-time", "operations/payments", "operations/returns")
UNFILTERED = (
    "status",
    "filters",
    "executive/leakage",
    "executive/customers",
    "executive/cohorts",
    "operations/lateness-drivers",
    "operations/freshness",
)
PAGES = ("dashboards/executive", "dashboards/operations")
SERVER_TIMING = re.compile(r"app;dur=([0-9.]+)")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _order_lines() -> int:
    with db.connect(settings.WAREHOUSE) as conn:
        return conn.execute("select count(*) from dw.fct_order_line").fetchone()[0]


def bench_dashboards(clients: int = 20, seconds: float = 30.0, report: Callable[[str], None] = print) -> dict:
    import httpx

    lines = _order_lines()
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    command = [str(Path(sys.executable).with_name("globalcart")), "dashboards", "--port", str(port)]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=os.environ.copy())
    try:
        with httpx.Client(base_url=base, timeout=10) as probe:
            deadline = time.monotonic() + 60
            while True:
                try:
                    choices = probe.get("/api/dashboards/filters").json()["data"]
                    break
                except (httpx.TransportError, ValueError):
                    if server.poll() is not None or time.monotonic() > deadline:
                        raise GlobalCartError(
                            "the dashboards did not start: "
                            + (server.stderr.read().decode()[-500:] if server.stderr else "")
                        ) from None
                    time.sleep(0.3)
        if not choices:
            raise GlobalCartError("nothing is published yet: run `make load` and `make analytics` first")
        first, last = date.fromisoformat(choices["first_day"]), date.fromisoformat(choices["last_day"])
        report(f"dashboards under load: {clients} clients for {seconds:.0f} s on loopback, {lines:,} order lines")

        def random_filters(rng: random.Random) -> dict[str, str]:
            days = rng.choice((7, 28, 90, 365))
            end = last - timedelta(days=rng.randrange(0, max(1, (last - first).days - days)))
            params = {"start": max(first, end - timedelta(days=days - 1)).isoformat(), "end": end.isoformat()}
            for name, values in (("channel", "channels"), ("region", "regions"), ("category", "categories")):
                if rng.random() < 0.3:
                    params[name] = rng.choice(choices[values])
            return params

        server_ms: dict[str, list[float]] = defaultdict(list)
        round_trip_ms: dict[str, list[float]] = defaultdict(list)
        errors: dict[str, int] = defaultdict(int)
        lock = threading.Lock()
        stop_at = time.monotonic() + seconds

        def client(number: int) -> None:
            rng = random.Random(number)
            with httpx.Client(base_url=base, timeout=10) as http:
                while time.monotonic() < stop_at:
                    name = rng.choice((*PAGES, *FILTERED, *FILTERED, *UNFILTERED))
                    path = f"/{name}" if name in PAGES else f"/api/dashboards/{name}"
                    params = random_filters(rng) if name in FILTERED else {}
                    started = time.perf_counter()
                    try:
                        response = http.get(path, params=params)
                        ok = response.status_code == 200
                    except httpx.HTTPError:
                        response, ok = None, False
                    elapsed = (time.perf_counter() - started) * 1000
                    with lock:
                        if not ok:
                            errors[name] += 1
                            continue
                        round_trip_ms[name].append(elapsed)
                        timing = SERVER_TIMING.search(response.headers.get("server-timing", ""))
                        server_ms[name].append(float(timing.group(1)) if timing else elapsed)

        threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        server.terminate()
        server.wait(timeout=30)

    report(f"  {'endpoint':<30}{'requests':>9}{'errors':>8}{'server p50':>12}{'server p95':>12}{'round trip p95':>16}")
    figures = {}
    for name in (*PAGES, *UNFILTERED, *FILTERED):
        served = server_ms.get(name, [])
        if not served:
            report(f"  {name:<30}{0:>9}{errors.get(name, 0):>8}")
            continue
        figures[name] = {
            "requests": len(served),
            "errors": errors.get(name, 0),
            "server_p50_ms": statistics.median(served),
            "server_p95_ms": _percentile(served, 0.95),
            "round_trip_p95_ms": _percentile(round_trip_ms[name], 0.95),
        }
        f = figures[name]
        report(
            f"  {name:<30}{f['requests']:>9,}{f['errors']:>8}{f['server_p50_ms']:>10.1f} ms"
            f"{f['server_p95_ms']:>10.1f} ms{f['round_trip_p95_ms']:>14.1f} ms"
        )
    total = sum(f["requests"] for f in figures.values())
    worst = max(figures.values(), key=lambda f: f["server_p95_ms"])
    report(
        f"  {total:,} requests ({total / seconds:,.0f} a second), {sum(errors.values())} errors;"
        f" worst server p95 {worst['server_p95_ms']:.1f} ms (target: under 150 ms on every endpoint)"
    )
    return {"order_lines": lines, "clients": clients, "seconds": seconds, "endpoints": figures, "errors": dict(errors)}
