"""The published daily cube: built with the KPI tables for the dirty days, re-aggregated correctly, checked."""

from __future__ import annotations

from decimal import Decimal

from globalcart.source import simulator
from tests.support.mail import Mailbox
from tests.support.stack import Stack

# The one correct formula of each ratio over any set of cube rows (docs/bi.md).
REAGGREGATED = """
select
    sum(gross_sales) - sum(discounts) - sum(returns_amount) as net_sales,
    round((sum(gross_sales) - sum(discounts) - sum(returns_amount) - sum(cost_of_goods))
        / nullif(sum(gross_sales) - sum(discounts) - sum(returns_amount), 0), 4) as gross_margin_pct,
    sum({orders}) as orders,
    round((sum(gross_sales) - sum(discounts)) / nullif(sum({orders}), 0), 2) as average_order_value,
    round(sum(returned_units)::numeric / nullif(sum(units), 0), 4) as return_rate_units,
    round(sum(deliveries_on_time)::numeric / nullif(sum(deliveries), 0), 4) as on_time_delivery_pct,
    round(sum(declined_attempts)::numeric / nullif(sum(payment_attempts), 0), 4) as decline_rate_attempts
from marts.kpi_cube_daily
where {column} = %s and date_trunc('month', period_start)::date = %s
"""
KPI_COLUMNS = (
    "net_sales, gross_margin_pct, orders, average_order_value, return_rate_units, on_time_delivery_pct,"
    " decline_rate_attempts"
)


# The rollup the dashboards read, computed from the published cube in one go.
ROLLED_UP = """
select period_start,
    case when grouping(channel) = 1 then 'any' else channel end,
    case when grouping(region) = 1 then 'any' else region end,
    case when grouping(category) = 1 then 'any' else category end,
    sum(orders), sum(orders_in_category), sum(units), sum(gross_sales), sum(discounts), sum(returned_units),
    sum(returns_amount), sum(refunds), sum(cost_of_goods), sum(lines_without_cost), sum(shipping_cost),
    sum(deliveries), sum(deliveries_on_time), sum(days_to_deliver), sum(payment_attempts), sum(declined_attempts),
    sum(authorized_attempts), sum(paying_orders), sum(authorized_orders), sum(orders_with_decline)
from marts.kpi_cube_daily
group by period_start, cube (channel, region, category)
"""


def cube_equals_facts(stack: Stack) -> None:
    """The cube built run after run, day by dirty day, holds what a build from every fact gives;
    its rollup, kept the same way, holds what rolling up the whole cube gives."""
    published = stack.warehouse_sql("select * from marts.kpi_cube_daily")
    computed = stack.warehouse_sql("select * from kpi.kpi_cube_parts_between('-infinity', 'infinity')")
    assert published and sorted(published, key=repr) == sorted(computed, key=repr)
    rollup = stack.warehouse_sql("select * from marts.kpi_cube_rollup")
    assert rollup and sorted(rollup, key=repr) == sorted(stack.warehouse_sql(ROLLED_UP), key=repr)


def test_the_cube_is_published_with_the_kpi_tables_and_kept_incrementally(stack: Stack, mailbox: Mailbox) -> None:
    summary = stack.run(publish=True)
    assert summary.published, [c.name for c in summary.checks if c.failed]
    assert "cube_adds_up_to_shop_kpis" in [c.name for c in summary.checks]
    cube_equals_facts(stack)
    for _ in range(2):
        simulator.simulate(1, 12.0)
        summary = stack.run(publish=True)
        assert summary.published, [c.name for c in summary.checks if c.failed]
        cube_equals_facts(stack)
    assert mailbox.messages == []


def test_ratios_re_aggregated_from_the_cube_equal_the_kpi_definition(stack: Stack, mailbox: Mailbox) -> None:
    assert stack.run(publish=True).published
    ((month, channel, region, category),) = stack.warehouse_sql(
        "select date_trunc('month', max(period_start) - 20)::date, min(channel) filter (where channel <> 'all'),"
        " min(region), min(category) filter (where category <> 'all') from marts.kpi_cube_daily"
    )
    # Orders by category are the orders with a line in it; by every other dimension each order counts once.
    for column, value, orders in (
        ("channel", channel, "orders"),
        ("region", region, "orders"),
        ("category", category, "orders_in_category"),
    ):
        (from_cube,) = stack.warehouse_sql(REAGGREGATED.format(orders=orders, column=column), (value, month))
        (defined,) = stack.warehouse_sql(
            f"select {KPI_COLUMNS} from kpi.kpi_values"  # noqa: S608 - fixed column list
            " where grain = 'month' and dimension_name = %s and dimension_value = %s and period_start = %s",
            (column, value, month),
        )
        if column in ("channel", "category"):
            # Deliveries are not cut by channel or category, payments not by category: empty, as in kpi_monthly.
            defined = (*defined[:5], None, defined[6] if column == "channel" else None)
        assert from_cube == defined, (column, value)
        assert from_cube[0] > 0
    # Two dimensions at once, which the KPI tables cannot serve: its parts add up to the channel's.
    ((both, rest),) = stack.warehouse_sql(
        "select sum(gross_sales) filter (where region = %s), sum(gross_sales) filter (where region <> %s)"
        " from marts.kpi_cube_daily where channel = %s and date_trunc('month', period_start)::date = %s",
        (region, region, channel, month),
    )
    ((channel_gross,),) = stack.warehouse_sql(
        "select gross_sales from marts.kpi_monthly where dimension_name = 'channel' and dimension_value = %s"
        " and period_start = %s",
        (channel, month),
    )
    assert both > 0 and both + rest == channel_gross


def test_a_tampered_cube_row_blocks_publication(stack: Stack, mailbox: Mailbox) -> None:
    assert stack.run(publish=True).published
    # A published cube row that no longer adds up: the next run carries it over into its candidate.
    stack.warehouse_sql(
        "update marts.kpi_cube_daily set gross_sales = gross_sales + 1"
        " where (period_start, channel, region, category) = (select period_start, channel, region, category"
        " from marts.kpi_cube_daily where gross_sales > 0 order by period_start limit 1)"
    )
    before = stack.warehouse_sql("select sum(gross_sales) from marts.kpi_cube_daily")
    summary = stack.run(publish=True)
    assert summary.published is False
    assert [c.name for c in summary.checks if c.failed] == ["cube_adds_up_to_shop_kpis"]
    (failed,) = [c for c in summary.checks if c.failed]
    assert failed.unexpected_count == 1
    assert stack.warehouse_sql("select sum(gross_sales) from marts.kpi_cube_daily") == before
    assert before[0][0] > Decimal(0)
    assert len(mailbox.messages) == 1
