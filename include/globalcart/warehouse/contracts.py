"""The contract of each source table: its key, its columns and the rules a row must keep.

One description serves the extraction (the columns read from the shop), the staging
tables (every column as text, in this order, since COPY fills them by position), the
mirror (typed, plus ``loaded_run_id`` and ``merge_seq``) and the merge, which rejects a
row that breaks the contract. The extraction and merge SQL are rendered from here
(``globalcart render-sql``); a test checks the contracts against the shop's and the
warehouse's tables.

Kept free of heavy imports: the DAG file reads it, through steps.py, on every parse.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

MONEY = "numeric(12, 2)"  # the shop's amounts; the mirror keeps them as plain numeric


@dataclass(frozen=True)
class Column:
    name: str
    type: str = "text"  # in the mirror; a staged value that does not parse as this is rejected
    nullable: bool = False
    source_type: str | None = None  # in the shop, where it is narrower than the mirror's

    @property
    def shop_type(self) -> str:
        return self.source_type or self.type


@dataclass(frozen=True)
class _ColumnRule:
    column: str
    phrase: ClassVar[str]

    @property
    def reason(self) -> str:
        return f"{self.column} {self.phrase}"


class AboveZero(_ColumnRule):
    phrase = "must be above zero"


class NotNegative(_ColumnRule):
    phrase = "must not be negative"


@dataclass(frozen=True)
class Between:
    column: str
    low: int
    high: int

    @property
    def reason(self) -> str:
        return f"{self.column} must be between {self.low} and {self.high}"


@dataclass(frozen=True)
class OneOf:
    column: str
    values: tuple[str, ...]
    reason: str


Rule = AboveZero | NotNegative | Between | OneOf


@dataclass(frozen=True)
class SourceTable:
    name: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    rules: tuple[Rule, ...] = ()  # checked in this order, after the missing and unparseable values
    status: str | None = None  # the column that carries the row's lifecycle
    records_transitions: bool = False  # its changes go to audit.status_transitions

    def __post_init__(self) -> None:
        names = [column.name for column in self.columns]
        named = {*self.key, *(rule.column for rule in self.rules), *([self.status] if self.status else [])}
        if unknown := sorted(named - set(names)):
            raise ValueError(f"{self.name}: no such columns {unknown}")
        if any(self.column(name).nullable for name in self.key):
            raise ValueError(f"{self.name}: a key column cannot be nullable")
        if self.column("updated_at").type != "timestamptz":
            raise ValueError(f"{self.name}: newer-wins needs updated_at timestamptz")
        if self.records_transitions and not (self.status and len(self.key) == 1):
            raise ValueError(f"{self.name}: transitions need a status column and a one-column key")

    @property
    def label(self) -> str:
        """``fulfillment_centers`` -> ``fulfillment centers``, for comments."""
        return self.name.replace("_", " ")

    @property
    def numbered_key(self) -> str | None:
        """The key column when the key is one number (the shop hands them out in order), else None."""
        if len(self.key) == 1 and self.column(self.key[0]).type == "bigint":
            return self.key[0]
        return None

    def column(self, name: str) -> Column:
        (column,) = (column for column in self.columns if column.name == name)
        return column


# In the order the load extracts and merges them.
CONTRACTS: tuple[SourceTable, ...] = (
    SourceTable(
        "carriers",
        key=("carrier_code",),
        columns=(
            Column("carrier_code"),
            Column("carrier_name"),
            Column("created_at", "timestamptz"),
            Column("updated_at", "timestamptz"),
        ),
    ),
    SourceTable(
        "fulfillment_centers",
        key=("fulfillment_center_code",),
        columns=(
            Column("fulfillment_center_code"),
            Column("city"),
            Column("region"),
            Column("created_at", "timestamptz"),
            Column("updated_at", "timestamptz"),
        ),
    ),
    SourceTable(
        "customers",
        key=("customer_id",),
        columns=(
            Column("customer_id", "bigint"),
            Column("email"),
            Column("full_name"),
            Column("region"),
            Column("country_code", source_type="char(2)"),
            Column("segment"),
            Column("acquisition_channel"),
            Column("status"),
            Column("signed_up_at", "timestamptz"),
            Column("created_at", "timestamptz"),
            Column("updated_at", "timestamptz"),
        ),
        status="status",
    ),
    SourceTable(
        "products",
        key=("product_id",),
        columns=(
            Column("product_id", "bigint"),
            Column("sku"),
            Column("product_name"),
            Column("category"),
            Column("brand"),
            Column("list_price", "numeric", source_type=MONEY),
            Column("unit_cost", "numeric", source_type=MONEY),
            Column("is_active", "boolean"),
            Column("created_at", "timestamptz"),
            Column("updated_at", "timestamptz"),
        ),
        rules=(AboveZero("list_price"), NotNegative("unit_cost")),
    ),
    SourceTable(
        "product_prices",
        key=("product_id", "valid_from"),
        columns=(
            Column("product_id", "bigint"),
            Column("valid_from", "timestamptz"),
            Column("list_price", "numeric", source_type=MONEY),
            Column("unit_cost", "numeric", source_type=MONEY),
            Column("created_at", "timestamptz"),
            Column("updated_at", "timestamptz"),
        ),
        rules=(AboveZero("list_price"), NotNegative("unit_cost")),
    ),
    SourceTable(
        "promotions",
        key=("promotion_id",),
        columns=(
            Column("promotion_id", "bigint"),
            Column("promotion_code"),
            Column("discount_rate", "numeric", source_type="numeric(5, 4)"),
            Column("starts_at", "timestamptz"),
            Column("ends_at", "timestamptz"),
            Column("status"),
            Column("created_at", "timestamptz"),
            Column("updated_at", "timestamptz"),
        ),
        rules=(Between("discount_rate", 0, 1),),
        status="status",
        records_transitions=True,
    ),
    SourceTable(
        "orders",
        key=("order_id",),
        columns=(
            Column("order_id", "bigint"),
            Column("customer_id", "bigint"),
            Column("channel"),
            Column("status"),
            Column("promotion_id", "bigint", nullable=True),
            Column("currency_code", source_type="char(3)"),
            Column("ordered_at", "timestamptz"),
            Column("paid_at", "timestamptz", nullable=True),
            Column("cancelled_at", "timestamptz", nullable=True),
            Column("created_at", "timestamptz"),
            Column("updated_at", "timestamptz"),
        ),
        status="status",
        records_transitions=True,
    ),
    SourceTable(
        "order_items",
        key=("order_item_id",),
        columns=(
            Column("order_item_id", "bigint"),
            Column("order_id", "bigint"),
            Column("line_number", "integer"),
            Column("product_id", "bigint"),
            Column("quantity", "integer"),
            Column("unit_price", "numeric", source_type=MONEY),
            Column("discount_amount", "numeric", source_type=MONEY),
            Column("created_at", "timestamptz"),
            Column("updated_at", "timestamptz"),
        ),
        rules=(AboveZero("quantity"), NotNegative("unit_price"), NotNegative("discount_amount")),
    ),
    SourceTable(
        "payments",
        key=("payment_id",),
        columns=(
            Column("payment_id", "bigint"),
            Column("order_id", "bigint"),
            Column("attempt_number", "integer"),
            Column("payment_method"),
            Column("provider"),
            Column("status"),
            Column("amount", "numeric", source_type=MONEY),
            Column("decline_reason", nullable=True),
            Column("attempted_at", "timestamptz"),
            Column("created_at", "timestamptz"),
            Column("updated_at", "timestamptz"),
        ),
        rules=(
            NotNegative("amount"),
            OneOf("status", ("authorized", "captured", "declined", "refunded"), "unknown payment status"),
        ),
        status="status",
        records_transitions=True,
    ),
    SourceTable(
        "shipments",
        key=("shipment_id",),
        columns=(
            Column("shipment_id", "bigint"),
            Column("order_id", "bigint"),
            Column("carrier_code"),
            Column("fulfillment_center_code"),
            Column("status"),
            Column("shipping_cost", "numeric", source_type=MONEY),
            Column("promised_at", "timestamptz"),
            Column("shipped_at", "timestamptz", nullable=True),
            Column("delivered_at", "timestamptz", nullable=True),
            Column("created_at", "timestamptz"),
            Column("updated_at", "timestamptz"),
        ),
        rules=(NotNegative("shipping_cost"),),
        status="status",
        records_transitions=True,
    ),
    SourceTable(
        "returns",
        key=("return_id",),
        columns=(
            Column("return_id", "bigint"),
            Column("order_item_id", "bigint"),
            Column("quantity", "integer"),
            Column("refund_amount", "numeric", source_type=MONEY),
            Column("reason"),
            Column("status"),
            Column("requested_at", "timestamptz"),
            Column("received_at", "timestamptz", nullable=True),
            Column("refunded_at", "timestamptz", nullable=True),
            Column("created_at", "timestamptz"),
            Column("updated_at", "timestamptz"),
        ),
        rules=(AboveZero("quantity"), NotNegative("refund_amount")),
        status="status",
        records_transitions=True,
    ),
)
