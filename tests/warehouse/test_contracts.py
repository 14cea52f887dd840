"""The contracts describe the tables as they are: the shop's, and the warehouse's staging and mirror tables."""

from __future__ import annotations

from collections import defaultdict

from globalcart import db
from globalcart.warehouse.contracts import CONTRACTS
from globalcart.warehouse.migrations import apply_migrations
from tests.support.stack import Stack

COLUMNS = """
    select
        table_name, column_name, data_type, character_maximum_length, numeric_precision, numeric_scale,
        is_nullable = 'YES'
    from information_schema.columns
    where table_schema = %s
    order by table_name, ordinal_position
"""
CONTRACT_TABLES = {contract.name for contract in CONTRACTS}


def declared_type(data_type: str, length: int | None, precision: int | None, scale: int | None) -> str:
    """A type as information_schema names it, spelt as the contracts and the DDL spell it."""
    if data_type == "character":
        return f"char({length})"
    if data_type == "numeric" and precision is not None:
        return f"numeric({precision}, {scale})"
    return {"timestamp with time zone": "timestamptz"}.get(data_type, data_type)


def tables_of(rows: list[tuple]) -> dict[str, list[tuple[str, str, bool]]]:
    """Per table, its (column, type, nullable) in the table's order."""
    tables = defaultdict(list)
    for table, column, data_type, length, precision, scale, nullable in rows:
        tables[table].append((column, declared_type(data_type, length, precision, scale), nullable))
    return dict(tables)


def test_every_shop_table_has_a_contract_and_matches_it(stack: Stack) -> None:
    shop = tables_of(stack.source_sql(COLUMNS, ("shop",)))
    assert set(shop) == CONTRACT_TABLES
    for contract in CONTRACTS:
        # The extraction selects columns by name, so their order in the shop does not matter.
        expected = [(column.name, column.shop_type, column.nullable) for column in contract.columns]
        assert sorted(shop[contract.name]) == sorted(expected), contract.name


def test_the_staging_and_mirror_tables_hold_exactly_the_contracts_columns(stack: Stack) -> None:
    with db.connect(stack.warehouse) as conn:
        apply_migrations(conn)
    staging = tables_of(stack.warehouse_sql(COLUMNS, ("staging",)))
    mirror = tables_of(stack.warehouse_sql(COLUMNS, ("mirror",)))
    assert set(staging) - {"extract_batches", "repair_keys"} == CONTRACT_TABLES
    assert set(mirror) == CONTRACT_TABLES
    for contract in CONTRACTS:
        # COPY fills staging by position, in the order the extraction selects: the contract's.
        assert staging[contract.name] == [(column.name, "text", True) for column in contract.columns], contract.name
        expected = [(column.name, column.type, column.nullable) for column in contract.columns]
        expected += [("loaded_run_id", "text", False), ("merge_seq", "bigint", False)]
        assert sorted(mirror[contract.name]) == sorted(expected), contract.name
