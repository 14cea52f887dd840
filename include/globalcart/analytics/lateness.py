"""Which shipments arrive late: a logistic regression on carrier, fulfillment center, region, weekday and order size.

The input is already aggregated (one row per combination, with shipment and late counts). A binomial
GLM on those counts gives exactly the maximum-likelihood estimates of the logistic regression on the
individual shipments, at a fraction of the cost.

Each categorical uses treatment coding with its busiest level (most shipments; ties alphabetical) as the
reference, so an odds ratio reads "compared with the busiest carrier" rather than "compared with the
alphabetically first one". ``order_units`` enters as a number: its odds ratio is per extra unit. The
intercept is the log-odds of lateness for the reference levels at ``order_units`` = 0.

Variables that cannot be estimated are dropped rather than failing the run, and the reason says so:
a categorical with one level or an ``order_units`` with one value; a variable with a level whose
shipments are all late or all on time (separation: its odds ratio would be infinite); a variable
collinear with the ones before it (for example a fulfillment center that serves exactly one region).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

CATEGORICAL_VARIABLES = ("carrier", "fulfillment_center", "region", "weekday")
NUMERIC_VARIABLES = ("order_units",)
REQUIRED_COLUMNS = (*CATEGORICAL_VARIABLES, *NUMERIC_VARIABLES, "shipments", "late")
INTERCEPT = "intercept"
# Beyond these a coefficient is not an estimate but a symptom of separation or near-collinearity.
MAX_ABS_COEFFICIENT = 15.0
MAX_STD_ERROR = 50.0
GLM_MAXITER = 100


@dataclass(frozen=True)
class LatenessModel:
    status: str  # "ok", "simplified" (a variable was dropped) or "skipped"
    reason: str  # one line
    shipments: int
    late_share: float | None
    terms: list[dict]  # term, variable, level, reference_level, coefficient, std_error,
    # odds_ratio, odds_ratio_lower_95, odds_ratio_upper_95, p_value


class _FitFailure(Exception):
    def __init__(self, message: str, offending: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.offending = offending


def fit_lateness_model(cells: pd.DataFrame) -> LatenessModel:
    """Fit the lateness logit on aggregated cells; never raises for bad data, only for missing columns."""
    if cells is None or len(cells) == 0:
        return _skipped("lateness model skipped: no shipment cells", 0, None)
    missing = [column for column in REQUIRED_COLUMNS if column not in cells.columns]
    if missing:
        raise ValueError(f"lateness cells lack column(s): {', '.join(missing)}")

    notes: list[str] = []
    data, dropped_rows = _clean(cells)
    if dropped_rows:
        notes.append(f"{dropped_rows} cell(s) with missing values or impossible counts left out")
    shipments = int(data["shipments"].sum())
    late = int(data["late"].sum())
    if shipments == 0:
        return _skipped("lateness model skipped: no shipments" + _suffix(notes), 0, None)
    late_share = late / shipments
    if late == 0:
        return _skipped(f"lateness model skipped: none of {shipments} shipments was late", shipments, late_share)
    if late == shipments:
        return _skipped(f"lateness model skipped: all {shipments} shipments were late", shipments, late_share)

    variables: list[str] = []
    dropped: list[str] = []  # "variable dropped (why)", one per variable left out of the model
    for variable in (*CATEGORICAL_VARIABLES, *NUMERIC_VARIABLES):
        problem = _unusable(data, variable)
        if problem:
            dropped.append(f"{variable} dropped ({problem})")
        else:
            variables.append(variable)
    variables, collinear = _independent(data, variables)
    dropped.extend(f"{variable} dropped (collinear with {', '.join(before)})" for variable, before in collinear)

    while True:
        try:
            terms = _fit(data, variables)
            break
        except _FitFailure as failure:
            kept = [variable for variable in variables if variable not in failure.offending]
            if not failure.offending or len(kept) == len(variables):
                reason = f"lateness model skipped: the fit failed ({failure})"
                return _skipped(reason + _suffix([*dropped, *notes]), shipments, late_share)
            dropped.append(f"{', '.join(failure.offending)} dropped (fit failed: {failure})")
            variables = kept

    status = "simplified" if dropped else "ok"
    fitted = ", ".join(variables) if variables else "the intercept only"
    return LatenessModel(
        status=status,
        reason=f"lateness model {status}: binomial GLM on {len(data)} cells, {shipments} shipments "
        f"({late_share:.1%} late), terms for {fitted}" + _suffix([*dropped, *notes]),
        shipments=shipments,
        late_share=late_share,
        terms=terms,
    )


def _clean(cells: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Typed copy with duplicate combinations summed; also how many input rows were unusable."""
    labels = {variable: cells[variable].astype("string").str.strip() for variable in CATEGORICAL_VARIABLES}
    numbers = {
        column: pd.to_numeric(cells[column], errors="coerce").astype(float)
        for column in (*NUMERIC_VARIABLES, "shipments", "late")
    }
    data = pd.DataFrame(labels | numbers)
    usable = np.ones(len(data), dtype=bool)
    for variable in CATEGORICAL_VARIABLES:
        usable &= (data[variable].fillna("") != "").to_numpy(dtype=bool)
    for column in numbers:
        usable &= np.isfinite(data[column].to_numpy())
    with np.errstate(invalid="ignore"):
        counts_possible = (data["shipments"] >= 1) & (data["late"] >= 0) & (data["late"] <= data["shipments"])
    usable &= counts_possible.to_numpy(dtype=bool)
    data = data[usable].astype({variable: str for variable in CATEGORICAL_VARIABLES})
    keys = [*CATEGORICAL_VARIABLES, *NUMERIC_VARIABLES]
    data = data.groupby(keys, as_index=False, sort=True)[["shipments", "late"]].sum()
    return data, int((~usable).sum())


def reference_level(data: pd.DataFrame, variable: str) -> str:
    """The level with the most shipments; ties go to the alphabetically first."""
    totals = data.groupby(variable)["shipments"].sum()
    return min(totals.index, key=lambda level: (-totals[level], level))


def _unusable(data: pd.DataFrame, variable: str) -> str | None:
    """Why ``variable`` cannot be estimated, or None."""
    if variable in NUMERIC_VARIABLES:
        values = data[variable].unique()
        return f"one value, {values[0]:g}" if len(values) == 1 else None
    by_level = data.groupby(variable)[["shipments", "late"]].sum()
    if len(by_level) == 1:
        return f"one level, '{by_level.index[0]}'"
    separated = by_level[(by_level["late"] == 0) | (by_level["late"] == by_level["shipments"])]
    if len(separated):
        levels = ", ".join(f"'{level}'" for level in separated.index[:3]) + (" ..." if len(separated) > 3 else "")
        return f"level(s) {levels} all on time or all late, odds ratio not estimable"
    return None


def _design(data: pd.DataFrame, variables: list[str]) -> tuple[pd.DataFrame, list[dict]]:
    """Design matrix (intercept, treatment dummies, numbers) and the description of each column."""
    columns: dict[str, np.ndarray] = {INTERCEPT: np.ones(len(data))}
    described = [{"term": INTERCEPT, "variable": INTERCEPT, "level": None, "reference_level": None}]
    for variable in variables:
        if variable in NUMERIC_VARIABLES:
            columns[variable] = data[variable].to_numpy(dtype=float)
            described.append({"term": variable, "variable": variable, "level": None, "reference_level": None})
            continue
        reference = reference_level(data, variable)
        for level in sorted(set(data[variable].unique()) - {reference}):
            term = f"{variable}[{level}]"
            columns[term] = (data[variable] == level).to_numpy(dtype=float)
            described.append({"term": term, "variable": variable, "level": level, "reference_level": reference})
    return pd.DataFrame(columns, index=data.index), described


def _independent(data: pd.DataFrame, variables: list[str]) -> tuple[list[str], list[tuple[str, list[str]]]]:
    """Keep variables in order while each adds full rank; the others are collinear with those before."""
    kept: list[str] = []
    collinear: list[tuple[str, list[str]]] = []
    for variable in variables:
        design, _ = _design(data, [*kept, variable])
        if np.linalg.matrix_rank(design.to_numpy()) < design.shape[1]:
            collinear.append((variable, list(kept) or [INTERCEPT]))
        else:
            kept.append(variable)
    return kept, collinear


def _fit(data: pd.DataFrame, variables: list[str]) -> list[dict]:
    import statsmodels.api as sm

    design, described = _design(data, variables)
    endog = np.column_stack([data["late"].to_numpy(), (data["shipments"] - data["late"]).to_numpy()])
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            result = sm.GLM(endog, design, family=sm.families.Binomial()).fit(maxiter=GLM_MAXITER)
            bounds = result.conf_int(alpha=0.05)
    except Exception as exc:  # LinAlgError, PerfectSeparationError and the like: no variable to blame
        raise _FitFailure(f"{type(exc).__name__}: {str(exc).strip()[:120]}") from exc
    # Blame the variables whose estimates ran off (separation drives a coefficient towards infinity),
    # whether or not the iterations stopped; a non-convergence with no such variable has no simple fix.
    unstable = {
        row["variable"]
        for row in described
        if not (
            math.isfinite(result.params[row["term"]])
            and math.isfinite(result.bse[row["term"]])
            and abs(result.params[row["term"]]) <= MAX_ABS_COEFFICIENT
            and result.bse[row["term"]] <= MAX_STD_ERROR
        )
    }
    if unstable:
        offending = tuple(variable for variable in variables if variable in unstable)
        raise _FitFailure(f"unstable estimates for {', '.join(sorted(unstable))}", offending)
    if not result.converged:
        raise _FitFailure(f"no convergence in {GLM_MAXITER} iterations")
    return [
        {
            **row,
            "coefficient": float(result.params[row["term"]]),
            "std_error": float(result.bse[row["term"]]),
            "odds_ratio": math.exp(result.params[row["term"]]),
            "odds_ratio_lower_95": math.exp(bounds.loc[row["term"], 0]),
            "odds_ratio_upper_95": math.exp(bounds.loc[row["term"], 1]),
            "p_value": float(result.pvalues[row["term"]]),
        }
        for row in described
    ]


def _suffix(notes: list[str]) -> str:
    return "; " + "; ".join(notes) if notes else ""


def _skipped(reason: str, shipments: int, late_share: float | None) -> LatenessModel:
    return LatenessModel(status="skipped", reason=reason, shipments=shipments, late_share=late_share, terms=[])
