"""The lateness logit on synthetic cells drawn from known coefficients."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest

from globalcart.analytics.lateness import fit_lateness_model, reference_level

# True log-odds effects; the first level of each is the reference the data makes busiest.
CARRIERS = {"parcelpro": 0.0, "swiftship": math.log(3.0), "budgetpost": math.log(1.5), "ecoroute": -0.3}
CARRIER_VOLUME = {"parcelpro": 4, "swiftship": 1, "budgetpost": 2, "ecoroute": 1}
CENTERS = {"FC-A": 0.0, "FC-B": 0.2, "FC-C": -0.2, "FC-D": 0.1, "FC-E": 0.0}
CENTER_VOLUME = {"FC-A": 3, "FC-B": 1, "FC-C": 1, "FC-D": 1, "FC-E": 1}
REGIONS = {"north": 0.0, "south": 0.3, "east": -0.1, "west": 0.1, "central": 0.0}
WEEKDAYS = {"Mon": 0.0, "Tue": 0.0, "Wed": 0.0, "Thu": 0.0, "Fri": 0.2, "Sat": 0.4, "Sun": 0.3}
INTERCEPT = -2.0
ORDER_UNITS_EFFECT = 0.0
COLUMNS = ["carrier", "fulfillment_center", "region", "weekday", "order_units", "shipments", "late"]


def synthetic_cells(seed: int = 3, scale: float = 6.0) -> pd.DataFrame:
    """7000 cells (4 carriers x 5 centers x 5 regions x 7 weekdays x 10 unit counts), about 100k shipments."""
    rng = np.random.default_rng(seed)
    rows = []
    for carrier, center, region, weekday, units in itertools.product(
        CARRIERS, CENTERS, REGIONS, WEEKDAYS, range(1, 11)
    ):
        shipments = int(rng.poisson(scale * CARRIER_VOLUME[carrier] * CENTER_VOLUME[center])) + 1
        log_odds = (
            INTERCEPT
            + CARRIERS[carrier]
            + CENTERS[center]
            + REGIONS[region]
            + WEEKDAYS[weekday]
            + ORDER_UNITS_EFFECT * units
        )
        late = int(rng.binomial(shipments, 1 / (1 + math.exp(-log_odds))))
        rows.append((carrier, center, region, weekday, units, shipments, late))
    return pd.DataFrame(rows, columns=COLUMNS)


@pytest.fixture(scope="module")
def cells() -> pd.DataFrame:
    return synthetic_cells()


@pytest.fixture(scope="module")
def fitted(cells):
    return fit_lateness_model(cells)


def terms_by_name(model) -> dict[str, dict]:
    return {row["term"]: row for row in model.terms}


def test_recovers_known_odds_ratios(fitted, cells):
    assert fitted.status == "ok", fitted.reason
    assert fitted.shipments == cells["shipments"].sum()
    assert fitted.late_share == pytest.approx(cells["late"].sum() / cells["shipments"].sum())
    terms = terms_by_name(fitted)
    swiftship = terms["carrier[swiftship]"]
    # ~100k shipments give a standard error of about 0.025 on the log odds ratio; four of them is a
    # tolerance a correct fit misses about once in 16,000 seeds.
    assert swiftship["std_error"] < 0.05
    assert abs(swiftship["coefficient"] - math.log(3.0)) < 4 * swiftship["std_error"]
    assert swiftship["odds_ratio"] == pytest.approx(math.exp(swiftship["coefficient"]))
    assert swiftship["odds_ratio_lower_95"] < swiftship["odds_ratio"] < swiftship["odds_ratio_upper_95"]
    assert swiftship["p_value"] < 1e-6
    units = terms["order_units"]
    assert abs(units["coefficient"] - ORDER_UNITS_EFFECT) < 4 * units["std_error"]
    # The intercept is the log odds at the reference levels (and order_units = 0).
    references = {row["variable"]: row["reference_level"] for row in fitted.terms if row["reference_level"]}
    true_intercept = (
        INTERCEPT
        + CARRIERS[references["carrier"]]
        + CENTERS[references["fulfillment_center"]]
        + REGIONS[references["region"]]
        + WEEKDAYS[references["weekday"]]
    )
    assert abs(terms["intercept"]["coefficient"] - true_intercept) < 4 * terms["intercept"]["std_error"]


def test_term_rows_have_every_field(fitted):
    expected = {
        "term",
        "variable",
        "level",
        "reference_level",
        "coefficient",
        "std_error",
        "odds_ratio",
        "odds_ratio_lower_95",
        "odds_ratio_upper_95",
        "p_value",
    }
    assert all(set(row) == expected for row in fitted.terms)
    variables = {row["variable"] for row in fitted.terms}
    assert variables == {"intercept", "carrier", "fulfillment_center", "region", "weekday", "order_units"}
    # One term per non-reference level, plus the intercept and order_units.
    assert len(fitted.terms) == 1 + 3 + 4 + 4 + 6 + 1


def test_reference_level_is_the_busiest(fitted, cells):
    for variable in ("carrier", "fulfillment_center", "region", "weekday"):
        busiest = cells.groupby(variable)["shipments"].sum().idxmax()
        rows = [row for row in fitted.terms if row["variable"] == variable]
        assert {row["reference_level"] for row in rows} == {busiest}, variable
        assert busiest not in {row["level"] for row in rows}
    assert terms_by_name(fitted)["carrier[swiftship]"]["reference_level"] == "parcelpro"


def test_reference_ties_go_to_the_alphabetically_first():
    cells = pd.DataFrame({"carrier": ["zeta", "alpha", "mid", "zeta"], "shipments": [50, 90, 10, 40]})
    assert reference_level(cells, "carrier") == "alpha"
    assert reference_level(cells.assign(shipments=[50, 80, 10, 40]), "carrier") == "zeta"


def test_one_level_region_is_dropped(cells):
    model = fit_lateness_model(cells.assign(region="north"))
    assert model.status == "simplified"
    assert "region dropped" in model.reason and "one level" in model.reason
    assert "region" not in {row["variable"] for row in model.terms}
    assert "carrier[swiftship]" in terms_by_name(model)


def test_level_without_late_shipments_drops_its_variable(cells):
    separated = cells.copy()
    separated.loc[separated["fulfillment_center"] == "FC-E", "late"] = 0
    model = fit_lateness_model(separated)
    assert model.status == "simplified"
    assert "fulfillment_center dropped" in model.reason and "'FC-E'" in model.reason
    assert "fulfillment_center" not in {row["variable"] for row in model.terms}
    assert all(math.isfinite(row["coefficient"]) for row in model.terms)


def test_separation_on_order_units_is_dropped_after_the_fit(cells):
    # Small orders always late, large ones never: no single level gives it away, the fitted slope runs off.
    separated = cells.copy()
    separated.loc[separated["order_units"] <= 3, "late"] = separated["shipments"]
    separated.loc[separated["order_units"] >= 5, "late"] = 0
    model = fit_lateness_model(separated)
    assert model.status == "simplified"
    assert "order_units dropped (fit failed" in model.reason
    assert "order_units" not in {row["variable"] for row in model.terms}
    assert all(math.isfinite(row["coefficient"]) for row in model.terms)


def test_all_on_time_is_skipped(cells):
    model = fit_lateness_model(cells.assign(late=0))
    assert model.status == "skipped"
    assert model.terms == []
    assert model.late_share == 0.0
    assert "none of" in model.reason and "late" in model.reason


def test_all_late_is_skipped(cells):
    model = fit_lateness_model(cells.assign(late=cells["shipments"]))
    assert model.status == "skipped"
    assert "all" in model.reason


@pytest.mark.parametrize("empty", [pd.DataFrame(), pd.DataFrame(columns=COLUMNS)])
def test_empty_is_skipped(empty):
    model = fit_lateness_model(empty)
    assert model.status == "skipped"
    assert model.shipments == 0 and model.late_share is None and model.terms == []
    assert "no shipment cells" in model.reason
