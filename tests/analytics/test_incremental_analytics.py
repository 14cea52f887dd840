"""The analytics' incremental state against a real PostgreSQL: after any sequence of source changes, loads
and analytics runs, the state and what the analytics publish from it equal a recomputation from scratch."""

from __future__ import annotations

import random
from datetime import timedelta

import psycopg
import pytest

from globalcart import db
from globalcart.pipelines.analytics import run_analytics
from globalcart.source import simulator
from tests.support.stack import Stack

# The tables the state feeds, without the run's id and time.
STATE_FED_TABLES = {
    "customer_rfm": "select * from marts.customer_rfm order by customer_id",
    "rfm_segment_summary": "select * from marts.rfm_segment_summary order by segment",
    "churn_rates": "select * from marts.churn_rates order by dimension_name, dimension_value",
    "churn_evidence": "select * from marts.churn_evidence",
    "churn_window_backtest": "select * from marts.churn_window_backtest order by churn_window_days, checked_as_of",
    "repeat_purchase_gaps": "select * from marts.repeat_purchase_gaps order by bucket_order",
    "cohort_retention": "select * from marts.cohort_retention order by cohort_month, months_since_first",
    "statuses": """select analysis, status, reason, row_count, as_of from marts.analytics_status
                   where analysis in ('rfm', 'churn', 'cohorts', 'lateness_drivers') order by analysis""",
    "sla_lateness_drivers": "select * from marts.sla_lateness_drivers order by term",
}

# analytics.order_state as its definition says it must be, straight from the facts.
ORDER_STATE_FROM_FACTS = """
    with returned as (
        select order_item_id, sum(quantity) as units, max(requested_at) as last_at
        from dw.fct_return_line where return_status <> 'rejected' group by order_item_id
    )
    select f.order_id, min(c.customer_id), min(f.order_date_key), max(f.order_date_key), sum(f.quantity),
           count(*) filter (where not f.is_cancelled),
           min(f.ordered_at) filter (where not f.is_cancelled),
           sum(f.net_amount - round(f.net_amount * coalesce(r.units, 0) / f.quantity, 2))
               filter (where not f.is_cancelled),
           max(r.last_at) filter (where not f.is_cancelled)
    from dw.fct_order_line f join dw.dim_customer c using (customer_key)
    left join returned r using (order_item_id)
    group by f.order_id order by 1
"""
ORDER_STATE = """
    select order_id, customer_id, first_date_key, last_date_key, units, kept_lines, ordered_at, net_sales,
           last_returned_at
    from analytics.order_state order by 1
"""


def retention(stack: Stack) -> dict[str, list[tuple]]:
    return {name: stack.warehouse_sql(query) for name, query in STATE_FED_TABLES.items()}


def analyse(stack: Stack, run_id: str, as_of=None) -> None:
    run_analytics(stack.warehouse, run_id, as_of=as_of, send_alert=lambda *a: None)


def recomputed_from_scratch(stack: Stack, as_of=None) -> dict[str, list[tuple]]:
    """What the analytics publish when they rebuild their state from every fact."""
    stack.warehouse_sql("update analytics.state_builds set is_built = false")
    analyse(stack, "analytics:from-scratch", as_of)
    ((rebuilt_by,),) = stack.warehouse_sql("select built_by_run from analytics.state_builds")
    assert rebuilt_by == "analytics:from-scratch"
    return retention(stack)


@pytest.mark.parametrize("seed", [1, 2])
def test_analytics_from_incremental_state_equal_a_recomputation_from_scratch(stack: Stack, seed: int) -> None:
    rng = random.Random(seed)
    stack.run(publish=True)
    analyse(stack, "analytics:first")  # builds the state whole
    for step in range(3):
        hard_cases = rng.sample(simulator.HARD_CASES, k=rng.randint(0, 2))
        simulator.simulate(rng.randint(1, 2), rng.choice([6.0, 24.0, 48.0]), hard_cases=hard_cases, burst_rows=40)
        stack.run(publish=True)
        if rng.random() < 0.7:
            analyse(stack, f"analytics:step-{step}")
    simulator.simulate(1, 12.0)
    stack.run(publish=True)
    ((noted,),) = stack.warehouse_sql("select count(*) from analytics.changed_orders")
    assert noted > 0, "the changes were not noted"
    analyse(stack, "analytics:incremental")
    assert stack.warehouse_sql("select count(*) from analytics.changed_orders") == [(0,)]
    assert stack.warehouse_sql(ORDER_STATE) == stack.warehouse_sql(ORDER_STATE_FROM_FACTS)
    incremental = retention(stack)
    assert incremental["customer_rfm"], "nothing was analysed"
    assert incremental == recomputed_from_scratch(stack)

    # An earlier as-of date: orders with lines or returns after it are counted from the facts as they were then.
    ((as_of,),) = stack.warehouse_sql("select max(as_of) from marts.customer_rfm")
    earlier = as_of - timedelta(days=20)
    analyse(stack, "analytics:earlier", earlier)
    assert retention(stack) == recomputed_from_scratch(stack, earlier)


def test_analysing_twice_gives_the_same_state_and_tables(stack: Stack) -> None:
    stack.run(publish=True)
    analyse(stack, "analytics:once")
    simulator.simulate(1, 24.0)
    stack.run(publish=True)
    analyse(stack, "analytics:twice")
    state, tables = stack.warehouse_sql(ORDER_STATE), retention(stack)
    analyse(stack, "analytics:twice")
    assert stack.warehouse_sql(ORDER_STATE) == state
    assert retention(stack) == tables


def test_a_full_refresh_drops_the_state_and_the_next_run_rebuilds_it(stack: Stack) -> None:
    stack.run(publish=True)
    analyse(stack, "analytics:before-refresh")
    simulator.simulate(1, 12.0)
    stack.run(full_refresh=True, publish=True)
    assert stack.warehouse_sql("select is_built from analytics.state_builds") == []
    analyse(stack, "analytics:after-refresh")
    assert stack.warehouse_sql("select is_built, built_by_run from analytics.state_builds") == [
        (True, "analytics:after-refresh")
    ]
    assert stack.warehouse_sql(ORDER_STATE) == stack.warehouse_sql(ORDER_STATE_FROM_FACTS)


def lateness_cells(stack: Stack, as_of, *, state_is_built: bool) -> list[tuple]:
    with psycopg.connect(stack.warehouse.uri) as conn:
        conn.execute("set time zone 'UTC'")
        cells = db.fetch_frame(
            conn, "analytics/select_lateness_cells.sql", {"as_of": as_of, "state_is_built": state_is_built}
        )
    return sorted(cells.itertuples(index=False, name=None))


def test_lateness_cells_from_a_state_behind_the_facts_equal_those_from_the_facts(stack: Stack) -> None:
    stack.run(publish=True)
    analyse(stack, "analytics:state")
    # Changes the state has not caught up with yet: their orders are noted and counted from the facts.
    simulator.simulate(2, 24.0, hard_cases=["old_order_burst"], burst_rows=40)
    stack.run(publish=True)
    ((noted,),) = stack.warehouse_sql("select count(*) from analytics.changed_orders")
    assert noted > 0
    ((as_of,),) = stack.warehouse_sql("select max(ordered_at)::date - 1 from dw.fct_order_line")
    for day in (as_of, as_of - timedelta(days=10), as_of - timedelta(days=45)):
        from_state = lateness_cells(stack, day, state_is_built=True)
        assert from_state, day
        assert from_state == lateness_cells(stack, day, state_is_built=False), day
