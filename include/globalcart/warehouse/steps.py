"""The steps of the incremental load, by name and SQL file.

Kept free of database imports: the DAG file reads it every time it is parsed.
"""

from __future__ import annotations

from globalcart.warehouse.contracts import CONTRACTS

SOURCE_TABLES: tuple[str, ...] = tuple(contract.name for contract in CONTRACTS)
MERGE_STEPS: tuple[str, ...] = tuple(f"merge/merge_mirror_{table}.sql" for table in SOURCE_TABLES)
DIMENSION_STEPS: tuple[str, ...] = (
    "build/build_small_dimensions.sql",
    "build/build_dim_customer.sql",
    "build/build_dim_product.sql",
)
FACT_STEPS: tuple[str, ...] = (
    "build/build_fct_order_line.sql",
    "build/build_fct_payment_attempt.sql",
    "build/build_fct_shipment.sql",
    "build/build_fct_return_line.sql",
)
RESET_STEP = "warehouse/reset_for_full_refresh.sql"
# Merges hold this advisory lock shared and builds exclusively, so a build never misses a merge in flight.
MERGE_BUILD_LOCK = 36_020_252


def step_parameters(run_id: str) -> dict[str, object]:
    """The bind parameters of every SQL step."""
    return {"run_id": run_id, "merge_build_lock": MERGE_BUILD_LOCK}


def step_name(sql_file: str) -> str:
    """``merge/merge_mirror_orders.sql`` -> ``merge_mirror_orders``: the task id of the step."""
    return sql_file.rsplit("/", 1)[-1].removesuffix(".sql")
