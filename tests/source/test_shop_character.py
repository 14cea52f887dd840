"""Simulated days have the character of generated ones: the live shop keeps the numbers of its past.

One history is generated (60,000 order lines over 120 days: about 350 orders a day at its end), then 40 days
are simulated in steps of 24 hours (about 14,000 orders). Each measure is computed the same way on the
generated part and on the simulated part, and the two must agree within four standard errors of their
difference. Both parts are samples of the same model, so a difference that large happens by chance about once
in 16,000 comparisons (two-sided normal tail), once in about 1,000 for the 15 comparisons here: the seed is
fixed, so the test is stable, and it stays so when the model changes in small ways. The sample sizes below are
what this history and these 40 days give; each tolerance is printed in the failure message.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime

import psycopg
import pytest

from globalcart.source import simulator, world
from globalcart.source.history import load_history
from tests.support.stack import SOURCE_ENV, scratch_database

END = date(2026, 3, 1)
BOUNDARY = datetime(2026, 3, 1, tzinfo=UTC)  # where the generated history ends and the simulation starts
SIMULATED_DAYS = 40
# A late parcel comes at most 1 hour + Gamma(2, 1 day) after its promise; beyond 10 days with probability
# 5e-4. Parcels promised within the last 10 days of a part are left out, so the slow ones are not missed.
SETTLED_AFTER_DAYS = 10
STANDARD_ERRORS = 4


@dataclass(frozen=True)
class Shop:
    conn: psycopg.Connection
    now: datetime  # the simulated clock at the end

    def rows(self, query: str, **params: object) -> list[tuple]:
        return self.conn.execute(query, {"boundary": BOUNDARY, "now": self.now, **params}).fetchall()


@pytest.fixture(scope="module")
def shop(server_uri: str) -> Iterator[Shop]:
    with scratch_database(server_uri) as uri, pytest.MonkeyPatch.context() as patch:
        patch.setenv(SOURCE_ENV, uri)
        load_history(order_lines=60_000, days=120, end_date=END, seed=7)
        simulator.simulate(SIMULATED_DAYS, 24.0)
        with psycopg.connect(uri, autocommit=True) as conn:
            conn.execute("set time zone 'UTC'")
            (now,) = conn.execute("select simulated_at from sim.clock").fetchone()
            yield Shop(conn, now)


def assert_same_share(what: str, generated: tuple[float, float], simulated: tuple[float, float]) -> None:
    """Two shares (rate, sample size) agree within STANDARD_ERRORS standard errors of their difference."""
    (p_gen, n_gen), (p_sim, n_sim) = generated, simulated
    pooled = (p_gen * n_gen + p_sim * n_sim) / (n_gen + n_sim)
    tolerance = STANDARD_ERRORS * math.sqrt(pooled * (1 - pooled) * (1 / n_gen + 1 / n_sim))
    assert abs(p_sim - p_gen) <= tolerance, (
        f"{what}: simulated {p_sim:.4f} (n={n_sim:,.0f}) vs generated {p_gen:.4f} (n={n_gen:,.0f}),"
        f" tolerance {tolerance:.4f}"
    )


def test_shipping_costs_the_same_per_order(shop: Shop) -> None:
    # One parcel per order. About 25,500 generated and 13,400 simulated parcels; costs spread by about $2.70
    # (regions' base tariffs from $5.50 to $11.50), so the tolerance is about $0.12 on a mean near $10. The
    # simulator's old tariff (4.50 + 3% of the order + up to 3.00) averaged $14.30 on these orders.
    rows = shop.rows(
        """select o.ordered_at >= %(boundary)s, count(*), avg(s.shipping_cost)::float,
                  var_samp(s.shipping_cost)::float
           from shop.shipments as s join shop.orders as o using (order_id)
           group by 1"""
    )
    part = {simulated: (n, mean, variance) for simulated, n, mean, variance in rows}
    (n_gen, mean_gen, var_gen), (n_sim, mean_sim, var_sim) = part[False], part[True]
    assert n_sim > 10_000
    tolerance = STANDARD_ERRORS * math.sqrt(var_gen / n_gen + var_sim / n_sim)
    assert abs(mean_sim - mean_gen) <= tolerance, (mean_sim, mean_gen, tolerance)


def test_return_rates_by_category_are_the_same(shop: Shop) -> None:
    # Returns are requested 3 to 45 days after delivery (uniformly), so a line delivered t days before the end
    # of its part has had the share clamp((t - 3) / 42, 0, 1) of its chance to come back: its exposure. The
    # rate is returns per unit of exposure, on each part's own lines and clock (the generated part up to the
    # boundary, ignoring returns the simulator added later). Simulated lines give about 11,700 units of
    # exposure (apparel about 2,900, books about 700), generated ones about 37,000. Returns are close to
    # Poisson, so the standard error of a rate r over exposure E is sqrt(r / E): for apparel (r near 0.26)
    # the tolerance is about 0.044, for books (r near 0.02) about 0.024.
    rows = shop.rows(
        """with delivered as (
               select p.category, i.order_item_id, s.delivered_at,
                      s.delivered_at >= %(boundary)s as simulated,
                      case when s.delivered_at >= %(boundary)s then %(now)s else %(boundary)s end as observed_until
               from shop.order_items as i
               join shop.products as p using (product_id)
               join shop.shipments as s using (order_id)
               where s.status = 'delivered'
           )
           select d.category, d.simulated,
                  sum(least(greatest(extract(epoch from d.observed_until - d.delivered_at) / 86400 - 3, 0) / 42, 1))
                      ::float as exposure,
                  count(r.return_id) filter (where r.requested_at < d.observed_until) as returns
           from delivered as d left join shop.returns as r using (order_item_id)
           group by 1, 2"""
    )
    rate = {(category, simulated): (returns / exposure, exposure) for category, simulated, exposure, returns in rows}
    for c in world.CATEGORIES:
        (r_gen, e_gen), (r_sim, e_sim) = rate[c.name, False], rate[c.name, True]
        pooled = (r_gen * e_gen + r_sim * e_sim) / (e_gen + e_sim)
        tolerance = STANDARD_ERRORS * math.sqrt(pooled / e_gen + pooled / e_sim)
        assert abs(r_sim - r_gen) <= tolerance, (c.name, r_sim, r_gen, tolerance)
    simulated = {category: r for (category, is_simulated), (r, _) in rate.items() if is_simulated}
    assert max(simulated, key=simulated.__getitem__) == world.ground_truth()["highest_return_rate_category"]


def test_the_late_pair_is_as_late(shop: Shop) -> None:
    # The pair carries about 2% of parcels: about 450 settled generated deliveries and 200 simulated ones; at
    # an on-time rate near 0.55 the tolerance is about 0.17, against 0.89 and more for every other pair.
    carrier, center = world.LATE_PAIR
    rows = shop.rows(
        """select o.paid_at >= %(boundary)s as simulated, count(*), avg((s.delivered_at <= s.promised_at)::int)::float
           from shop.shipments as s join shop.orders as o using (order_id)
           where s.carrier_code = %(carrier)s and s.fulfillment_center_code = %(center)s and s.status = 'delivered'
             and s.promised_at < case when o.paid_at >= %(boundary)s then %(now)s else %(boundary)s end
                                 - make_interval(days => %(settled)s)
           group by 1""",
        carrier=carrier,
        center=center,
        settled=SETTLED_AFTER_DAYS,
    )
    part = {simulated: (on_time, n) for simulated, n, on_time in rows}
    assert part[True][1] > 150
    assert_same_share(f"on-time rate of {carrier} at {center}", part[False], part[True])


def test_payment_methods_decline_as_often(shop: Shop) -> None:
    # About 28,500 generated and 14,500 simulated attempts; the smallest method (gift card, 1%) has about
    # 1,400 and 700, a tolerance near 0.017; card (7%, 16,000 and 8,000) about 0.014.
    rows = shop.rows(
        """select payment_method, attempted_at >= %(boundary)s, count(*), avg((status = 'declined')::int)::float
           from shop.payments
           group by 1, 2"""
    )
    part = {(method, simulated): (rate, n) for method, simulated, n, rate in rows}
    for m in world.PAYMENT_METHODS:
        assert_same_share(f"decline rate of {m.name}", part[m.name, False], part[m.name, True])
