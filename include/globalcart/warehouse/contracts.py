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
# The days a business time (an order, a delivery, a refund...) may fall on: far wider than any
# shop's life, and what the calendar, the date keys and the day counts are made to hold.
SHOP_LIFE = ("1970-01-01", "2299-12-31")
# The currency every amount is reported in. The warehouse keeps no exchange rates, so an order in
# another currency cannot be added to the totals: the contract refuses it.
REPORTING_CURRENCY = "USD"


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


@dataclass(frozen=True)
class InShopLife:
    """A business time within SHOP_LIFE: a delivery in the year 20266 is a typo, not a fact."""

    column: str

    @property
    def reason(self) -> str:
        return f"{self.column} is far outside the shop's life ({SHOP_LIFE[0]} to {SHOP_LIFE[1]})"


@dataclass(frozen=True)
class NotBefore:
    """One time of the row not before another (null times pass)."""

    column: str
    earlier: str

    @property
    def reason(self) -> str:
        return f"{self.column} is before {self.earlier}"


Rule = AboveZero | NotNegative | Between | OneOf | InShopLife | NotBefore


# Rules that compare a row with the order (and order line) it belongs to. Those rows may arrive
# in any order, and either side may change later, so the build that joins them checks these,
# each time either side changes: a row that breaks one stays out of the facts, and is kept in
# audit.rejected_rows with the reason, until the source corrects it.


@dataclass(frozen=True)
class NotBeforeOrder:
    column: str

    @property
    def reason(self) -> str:
        return f"{self.column} is before the order was placed"


@dataclass(frozen=True)
class WithinLinePaid:
    """With the line's other refunds (not rejected, requested before), at most what the line was paid."""

    column: str

    @property
    def reason(self) -> str:
        return f"{self.column} is more than the line was paid, with the line's earlier refunds"


@dataclass(frozen=True)
class WithinLineQuantity:
    """With the line's other returns (not rejected, requested before), at most the units the line sold."""

    column: str

    @property
    def reason(self) -> str:
        return f"{self.column} is more than the line sold, with the line's earlier returns"


JoinedRule = NotBeforeOrder | WithinLinePaid | WithinLineQuantity


@dataclass(frozen=True)
class SourceTable:
    name: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    rules: tuple[Rule, ...] = ()  # checked in this order, after the missing and unparseable values
    status: str | None = None  # the column that carries the row's lifecycle
    records_transitions: bool = False  # its changes go to audit.status_transitions
    joined_rules: tuple[JoinedRule, ...] = ()  # checked by the fact build, against the row's order and line

    def __post_init__(self) -> None:
        names = [column.name for column in self.columns]
        named = {
            *self.key,
            *(rule.column for rule in (*self.rules, *self.joined_rules)),
            *(rule.earlier for rule in self.rules if isinstance(rule, NotBefore)),
            *([self.status] if self.status else []),
        }
        if unknown := sorted(named - set(names)):
            raise ValueError(f"{self.name}: no such columns {unknown}")
        if any(self.column(name).nullable for name in self.key):
            raise ValueError(f"{self.name}: a key column cannot be nullable")
        if self.column("updated_at").type != "timestamptz":
            raise ValueError(f"{self.name}: newer-wins needs updated_at timestamptz")
        if self.records_transitions and not (self.status and len(self.key) == 1):
            raise ValueError(f"{self.name}: transitions need a status column and a one-column key")
        if self.joined_rules and not self.numbered_key:
            raise ValueError(f"{self.name}: a build can reject only rows it names by a numbered key")

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
        rules=(InShopLife("signed_up_at"),),
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
        rules=(AboveZero("list_price"), NotNegative("unit_cost"), InShopLife("valid_from")),
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
        rules=(Between("discount_rate", 0, 1), InShopLife("starts_at"), InShopLife("ends_at")),
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
        rules=(
            OneOf(
                "currency_code",
                (REPORTING_CURRENCY,),
                f"amounts not in {REPORTING_CURRENCY}: the warehouse keeps no exchange rates to convert them",
            ),
            InShopLife("ordered_at"),
            InShopLife("paid_at"),
            InShopLife("cancelled_at"),
            NotBefore("paid_at", "ordered_at"),
            NotBefore("cancelled_at", "ordered_at"),
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
            InShopLife("attempted_at"),
        ),
        status="status",
        records_transitions=True,
        joined_rules=(NotBeforeOrder("attempted_at"),),
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
        rules=(
            NotNegative("shipping_cost"),
            InShopLife("promised_at"),
            InShopLife("shipped_at"),
            InShopLife("delivered_at"),
            NotBefore("delivered_at", "shipped_at"),
        ),
        status="status",
        records_transitions=True,
        joined_rules=(NotBeforeOrder("shipped_at"), NotBeforeOrder("delivered_at")),
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
        rules=(
            AboveZero("quantity"),
            NotNegative("refund_amount"),
            InShopLife("requested_at"),
            InShopLife("received_at"),
            InShopLife("refunded_at"),
            NotBefore("received_at", "requested_at"),
            NotBefore("refunded_at", "requested_at"),
        ),
        status="status",
        records_transitions=True,
        joined_rules=(
            NotBeforeOrder("requested_at"),
            WithinLinePaid("refund_amount"),
            WithinLineQuantity("quantity"),
        ),
    ),
)
