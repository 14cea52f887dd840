"""The history generator on a real PostgreSQL: determinism, scale, refusals, planted signals, invariants."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql

from globalcart import db, settings
from globalcart.errors import GlobalCartError
from globalcart.source import world
from globalcart.source.generator import MAX_DAYS, MAX_ORDER_LINES, GenerationParams, generate

END = dt.date(2025, 3, 1)
PARAMS = GenerationParams(order_lines=40_000, days=400, end_date=END, seed=7)
PARAMS_SMALL = GenerationParams(order_lines=3_000, days=90, end_date=END, seed=5)
TABLES = {
    "carriers": "carrier_code",
    "fulfillment_centers": "fulfillment_center_code",
    "customers": "customer_id",
    "products": "product_id",
    "product_prices": "product_id, valid_from",
    "promotions": "promotion_id",
    "orders": "order_id",
    "order_items": "order_item_id",
    "payments": "payment_id",
    "shipments": "shipment_id",
    "returns": "return_id",
}


def _create_database(server_uri: str) -> str:
    name = f"globalcart_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server_uri, autocommit=True) as admin:
        admin.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
    return urlunsplit(urlsplit(server_uri)._replace(path=f"/{name}"))


def _drop_database(server_uri: str, uri: str) -> None:
    name = urlsplit(uri).path.lstrip("/")
    with psycopg.connect(server_uri, autocommit=True) as admin:
        admin.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))


def _connect(uri: str) -> psycopg.Connection:
    conn = psycopg.connect(uri)
    conn.execute("set time zone 'UTC'")
    conn.commit()
    return conn


@pytest.fixture(scope="module")
def history(server_uri: str) -> Iterator[tuple[str, dict]]:
    """One generated history shared by the read-only tests: (database URI, manifest)."""
    uri = _create_database(server_uri)
    try:
        with _connect(uri) as conn:
            manifest = generate(conn, PARAMS)
        yield uri, manifest
    finally:
        _drop_database(server_uri, uri)


@pytest.fixture
def other_database(server_uri: str) -> Iterator[str]:
    """A second fresh database, beside the one ``source_uri`` gives."""
    uri = _create_database(server_uri)
    try:
        yield uri
    finally:
        _drop_database(server_uri, uri)


@pytest.fixture
def shop(history: tuple[str, dict]) -> Iterator[psycopg.Connection]:
    with _connect(history[0]) as conn:
        yield conn


def _checksums(conn: psycopg.Connection) -> dict[str, str]:
    sums = {}
    for table, key in TABLES.items():
        query = sql.SQL("copy (select * from {} order by {}) to stdout").format(
            sql.Identifier("shop", table), sql.SQL(key)
        )
        digest = hashlib.md5()
        with conn.cursor().copy(query) as copy:
            for block in copy:
                digest.update(block)
        sums[table] = digest.hexdigest()
    conn.rollback()
    return sums


def _scalar(conn: psycopg.Connection, query: str) -> object:
    row = conn.execute(query).fetchone()
    assert row is not None
    return row[0]


def _has_shop(conn: psycopg.Connection) -> bool:
    return bool(_scalar(conn, "select exists (select from pg_namespace where nspname = 'shop')"))


# --------------------------------------------------------------------------- parameters and refusals


@pytest.mark.parametrize(
    "changes",
    [
        {"order_lines": 0},
        {"order_lines": -10},
        {"order_lines": MAX_ORDER_LINES + 1},
        {"days": 0},
        {"days": MAX_DAYS + 1},
        {"seed": -1},
        {"end_date": dt.datetime(2025, 1, 1, tzinfo=dt.UTC)},
        {"end_date": dt.date(1989, 6, 1)},
    ],
)
def test_bad_params_raise_and_leave_no_schema(source_uri: str, changes: dict) -> None:
    params = GenerationParams(**{"order_lines": 100, "days": 30, "end_date": END, "seed": 1, **changes})
    with db.connect(settings.SOURCE) as conn:
        with pytest.raises(GlobalCartError) as raised:
            generate(conn, params)
        assert "\n" not in str(raised.value)
        assert not _has_shop(conn)


def test_second_generate_refuses_and_keeps_the_data(source_uri: str) -> None:
    small = GenerationParams(order_lines=2_000, days=60, end_date=END, seed=3)
    with db.connect(settings.SOURCE) as conn:
        generate(conn, small)
        before = _checksums(conn)
        with pytest.raises(GlobalCartError, match="already has a shop schema"):
            generate(conn, GenerationParams(order_lines=3_000, days=90, end_date=END, seed=4))
        assert _checksums(conn) == before


def test_a_failure_midway_rolls_everything_back(source_uri: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from globalcart.source.generator import model

    def broken(*_: object) -> None:
        raise RuntimeError("simulated failure")

    monkeypatch.setattr(model, "draw_returns", broken)
    with db.connect(settings.SOURCE) as conn:
        with pytest.raises(RuntimeError, match="simulated failure"):
            generate(conn, GenerationParams(order_lines=3_000, days=90, end_date=END))
        assert not _has_shop(conn)
        assert _schemas(conn) == set()


def _schemas(conn: psycopg.Connection) -> set[str]:
    """The schemas a load makes or replaces: shop, sim and anything like shop_loading."""
    rows = conn.execute("select nspname from pg_namespace where nspname like 'shop%' or nspname = 'sim'").fetchall()
    conn.rollback()
    return {row[0] for row in rows}


def _fail_in_a_lane(monkeypatch: pytest.MonkeyPatch) -> None:
    """The server side of the load fails in a lane's thread, as shipments are COPYed."""
    from globalcart.source.generator.load import _Lane

    serve = _Lane._serve

    def failing(self: _Lane, cur: psycopg.Cursor) -> None:
        if self._item and self._item[0] == "copy" and self._item[2] == "shipments":
            raise RuntimeError("simulated failure")
        serve(self, cur)

    monkeypatch.setattr(_Lane, "_serve", failing)


def _fail_while_simulating(monkeypatch: pytest.MonkeyPatch) -> None:
    """The main thread fails after most tables are loaded, before either lane commits."""
    from globalcart.source.generator import model

    def broken(*_: object) -> None:
        raise RuntimeError("simulated failure")

    monkeypatch.setattr(model, "draw_returns", broken)


def _fail_at_the_swap(monkeypatch: pytest.MonkeyPatch) -> None:
    """Both lanes have committed into shop_loading; the last transaction fails after the swap itself."""
    from globalcart.source import generator

    generate_ = generator.generate

    def before_commit(conn: psycopg.Connection, manifest: dict) -> None:
        assert conn.execute("select count(*) from shop.order_items").fetchone() == (
            manifest["row_counts"]["order_items"],
        )
        raise RuntimeError("simulated failure")

    monkeypatch.setattr(
        generator, "generate", lambda *args, **kwargs: generate_(*args, **kwargs, before_commit=before_commit)
    )


@pytest.mark.parametrize("inject", [_fail_in_a_lane, _fail_while_simulating, _fail_at_the_swap])
def test_a_failed_replace_keeps_the_old_history_and_leaves_nothing_behind(
    source_uri: str, inject: Callable[[pytest.MonkeyPatch], None]
) -> None:
    from globalcart.source import generator

    with db.connect(settings.SOURCE) as conn:
        generate(conn, GenerationParams(order_lines=2_000, days=60, end_date=END, seed=3))
        conn.execute("create schema sim")
        conn.execute("create table sim.marker as select 1 as kept")
        conn.commit()
        before = _checksums(conn)
        with pytest.MonkeyPatch.context() as patch:
            inject(patch)
            with pytest.raises(RuntimeError, match="simulated failure"):
                generator.generate(conn, GenerationParams(order_lines=20_000, days=90, end_date=END), replace=True)
        assert conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
        assert _schemas(conn) == {"shop", "sim"}
        assert _checksums(conn) == before
        assert _scalar(conn, "select kept from sim.marker") == 1
        conn.rollback()
        # Nor is the load's lock left held: the next load goes through.
        generate(conn, GenerationParams(order_lines=2_000, days=60, end_date=END, seed=4), replace=True)
        assert _schemas(conn) == {"shop"}
        assert _checksums(conn) != before


def test_a_leftover_from_a_crashed_load_does_not_block_the_next(source_uri: str) -> None:
    from globalcart.source import generator

    def crash(conn: psycopg.Connection, manifest: dict) -> None:
        raise RuntimeError("simulated crash")

    with db.connect(settings.SOURCE) as conn:
        # A crash leaves the lanes' committed tables behind: nothing gets to clean them up.
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(generator.load, "_drop_loading_schema", lambda conn: None)
            with pytest.raises(RuntimeError, match="simulated crash"):
                generate(conn, PARAMS_SMALL, before_commit=crash)
        assert _schemas(conn) == {"shop_loading"}
        assert _scalar(conn, "select count(*) from shop_loading.order_items") > 0
        conn.rollback()
    with db.connect(settings.SOURCE) as conn:
        manifest = generate(conn, PARAMS_SMALL)
        assert _schemas(conn) == {"shop"}
        assert _scalar(conn, "select count(*) from shop.order_items") == manifest["row_counts"]["order_items"]


def test_a_second_load_at_the_same_time_is_refused(source_uri: str) -> None:
    with db.connect(settings.SOURCE) as running, db.connect(settings.SOURCE) as conn:
        assert _scalar(running, db.sql_text("source/loading/lock_loading.sql")) is True
        with pytest.raises(GlobalCartError, match="another history is being loaded"):
            generate(conn, PARAMS_SMALL)
        assert _schemas(conn) == set()


# --------------------------------------------------------------------------- determinism and scale


def test_same_seed_gives_identical_data_and_another_seed_does_not(
    source_uri: str, other_database: str, history: tuple[str, dict]
) -> None:
    history_uri, manifest = history
    with db.connect(settings.SOURCE) as conn:
        again = generate(conn, PARAMS)
        again_sums = _checksums(conn)
    with _connect(history_uri) as conn:
        original_sums = _checksums(conn)
    assert again == manifest
    assert again_sums == original_sums

    with _connect(other_database) as conn:
        reseeded = generate(conn, GenerationParams(**{**vars(PARAMS), "seed": PARAMS.seed + 1}))
        reseeded_sums = _checksums(conn)
    assert reseeded["realised"] != manifest["realised"]
    for table in ("customers", "orders", "order_items", "payments", "shipments", "returns"):
        assert reseeded_sums[table] != original_sums[table], table


def test_scale_is_honoured(history: tuple[str, dict], shop: psycopg.Connection, source_uri: str) -> None:
    _, manifest = history
    lines = _scalar(shop, "select count(*) from shop.order_items")
    assert PARAMS.order_lines <= lines < PARAMS.order_lines * 1.01
    for table in TABLES:
        count = _scalar(shop, f"select count(*) from shop.{table}")  # noqa: S608 - fixed table names
        assert manifest["row_counts"][table] == count, table
    orders = manifest["row_counts"]["orders"]
    assert 1.9 < lines / orders < 2.5  # about 2.2 lines per order
    with db.connect(settings.SOURCE) as conn:
        tiny = generate(conn, GenerationParams(order_lines=1, days=1, end_date=END))
        assert 1 <= _scalar(conn, "select count(*) from shop.order_items") <= 5
    assert tiny["row_counts"]["orders"] == 1


def test_manifest_is_json_and_carries_the_ground_truth(history: tuple[str, dict]) -> None:
    _, manifest = history
    assert json.loads(json.dumps(manifest)) == manifest
    assert manifest["ground_truth"] == json.loads(json.dumps(world.ground_truth()))
    assert manifest["params"]["seed"] == PARAMS.seed
    assert manifest["params"]["end_date"] == END.isoformat()


# --------------------------------------------------------------------------- planted signals


def test_highest_return_rate_category_matches(history: tuple[str, dict], shop: psycopg.Connection) -> None:
    _, manifest = history
    rows = shop.execute(
        """
        with delivered as (
            select p.category, sum(i.quantity) as units
            from shop.order_items i
            join shop.orders o using (order_id)
            join shop.products p using (product_id)
            where o.status = 'delivered'
            group by p.category
        ), returned as (
            select p.category, sum(r.quantity) as units
            from shop.returns r
            join shop.order_items i using (order_item_id)
            join shop.products p using (product_id)
            group by p.category
        )
        select d.category, coalesce(r.units, 0)::float / d.units as rate
        from delivered d left join returned r using (category)
        order by rate desc
        """
    ).fetchall()
    assert rows[0][0] == manifest["realised"]["highest_return_rate_category"]
    assert rows[0][0] == manifest["ground_truth"]["highest_return_rate_category"]
    rates = dict(rows)
    assert rates["apparel"] > 3 * rates["books"]


def test_late_pair_has_the_lowest_on_time_rate(history: tuple[str, dict], shop: psycopg.Connection) -> None:
    _, manifest = history
    rows = shop.execute(
        """
        select carrier_code, fulfillment_center_code,
               avg((delivered_at <= promised_at)::int) as on_time
        from shop.shipments
        where status = 'delivered'
        group by 1, 2
        having count(*) >= 30
        order by on_time
        """
    ).fetchall()
    assert rows[0][:2] == world.LATE_PAIR
    assert rows[0][2] < 0.7 < rows[1][2]
    worst = manifest["realised"]["worst_on_time_pair"]
    assert (worst["carrier"], worst["fulfillment_center"]) == world.LATE_PAIR


def test_buy_now_pay_later_declines_more_than_paypal(shop: psycopg.Connection) -> None:
    rates = dict(
        shop.execute(
            "select payment_method, avg((status = 'declined')::int)::float from shop.payments group by 1"
        ).fetchall()
    )
    assert rates["buy_now_pay_later"] > 2 * rates["paypal"]
    assert rates["card"] > rates["gift_card"]


def test_returns_come_3_to_45_days_after_delivery(shop: psycopg.Connection) -> None:
    low, high = _scalar_pair(
        shop,
        """
        select min(r.requested_at - s.delivered_at), max(r.requested_at - s.delivered_at)
        from shop.returns r
        join shop.order_items i using (order_item_id)
        join shop.shipments s using (order_id)
        """,
    )
    assert dt.timedelta(days=3) <= low < dt.timedelta(days=5)
    assert dt.timedelta(days=40) < high <= dt.timedelta(days=45)


def _scalar_pair(conn: psycopg.Connection, query: str) -> tuple:
    row = conn.execute(query).fetchone()
    assert row is not None
    return tuple(row)


def test_weekends_are_busier_than_tuesdays(shop: psycopg.Connection) -> None:
    per_day = dict(
        shop.execute(
            """
            select extract(isodow from d)::int, avg(coalesce(n, 0))
            from generate_series(%(start)s::date, %(end)s::date - 1, interval '1 day') d
            left join (
                select ordered_at::date as day, count(*) as n from shop.orders group by 1
            ) o on o.day = d::date
            group by 1
            """,
            {"start": END - dt.timedelta(days=PARAMS.days), "end": END},
        ).fetchall()
    )
    assert per_day[6] > per_day[2] and per_day[7] > per_day[2]


def test_discounts_deepen_and_orders_grow(shop: psycopg.Connection) -> None:
    early, late = _scalar_pair(
        shop,
        """
        with bounds as (select min(ordered_at) as first, max(ordered_at) as last from shop.orders),
        lines as (
            select extract(epoch from o.ordered_at - b.first) / extract(epoch from b.last - b.first) as at,
                   i.discount_amount, i.quantity * i.unit_price as gross
            from shop.order_items i join shop.orders o using (order_id) cross join bounds b
        )
        select (sum(discount_amount) filter (where at < 1.0 / 3)
                / sum(gross) filter (where at < 1.0 / 3))::float,
               (sum(discount_amount) filter (where at >= 2.0 / 3)
                / sum(gross) filter (where at >= 2.0 / 3))::float
        from lines
        """,
    )
    assert late > 1.5 * early
    first, last = _scalar_pair(
        shop,
        """
        select count(*) filter (where ordered_at < %(start)s::timestamptz + interval '60 days'),
               count(*) filter (where ordered_at >= %(end)s::timestamptz - interval '60 days')
        from shop.orders
        """.replace("%(start)s", f"'{END - dt.timedelta(days=PARAMS.days)}'").replace("%(end)s", f"'{END}'"),
    )
    assert last > 2 * first


def test_prices_and_costs_change_over_time(shop: psycopg.Connection) -> None:
    repriced, cost_up = _scalar_pair(
        shop,
        """
        with ends as (
            select product_id, count(*) as versions,
                   (array_agg(unit_cost order by valid_from))[1] as first_cost,
                   (array_agg(unit_cost order by valid_from desc))[1] as last_cost,
                   max(valid_from) - min(valid_from) as span
            from shop.product_prices group by 1
        )
        select avg((versions > 1)::int),
               avg((last_cost > first_cost)::int) filter (where span > interval '300 days')
        from ends
        """,
    )
    assert repriced > 0.5
    assert cost_up > 0.7  # unit costs drift up


def test_churn_figures_are_plausible(history: tuple[str, dict], shop: psycopg.Connection) -> None:
    _, manifest = history
    churn = _scalar(
        shop,
        f"""
        select avg((last_order < timestamptz '{END}' - interval '90 days')::int)::float
        from (
            select customer_id, max(ordered_at) as last_order
            from shop.orders where status <> 'cancelled' group by 1
        ) c
        """,  # noqa: S608 - a fixed date
    )
    assert churn == pytest.approx(manifest["realised"]["churn_90d_rate"], abs=1e-6)
    assert 0.2 < churn < 0.9
    assert 0.5 < manifest["realised"]["repeat_within_90d_share"] < 1


# --------------------------------------------------------------------------- invariants

END_TS = f"timestamptz '{END.isoformat()} 00:00:00+00'"

INVARIANTS = {
    "order status has its timestamps": """
        select order_id from shop.orders
        where (status in ('paid', 'shipped', 'delivered') and paid_at is null)
           or (status = 'placed' and (paid_at is not null or cancelled_at is not null))
           or (status = 'cancelled' and cancelled_at < coalesce(paid_at, ordered_at))
    """,
    "paid_at iff a captured or refunded payment": """
        select o.order_id from shop.orders o
        where (o.paid_at is not null) <> exists (
            select from shop.payments p where p.order_id = o.order_id and p.status in ('captured', 'refunded')
        )
    """,
    "payment status fits the order status": """
        select p.payment_id from shop.payments p join shop.orders o using (order_id)
        where (p.status = 'captured' and o.status not in ('paid', 'shipped', 'delivered'))
           or (p.status = 'refunded' and o.status <> 'cancelled')
           or (p.status = 'authorized' and o.status <> 'placed')
    """,
    "attempts are 1..n, declined until the last, time increasing": """
        with n as (
            select order_id, count(*) as c, max(attempt_number) as m from shop.payments group by 1
        )
        select p.payment_id from shop.payments p join n using (order_id)
        where n.c <> n.m
           or (p.attempt_number < n.m and p.status <> 'declined')
           or p.attempted_at < (select ordered_at from shop.orders o where o.order_id = p.order_id)
           or exists (
               select from shop.payments q
               where q.order_id = p.order_id and q.attempt_number = p.attempt_number + 1
                 and q.attempted_at <= p.attempted_at
           )
    """,
    "payment amount is the net item total": """
        select p.payment_id from shop.payments p
        join (
            select order_id, sum(quantity * unit_price - discount_amount) as net
            from shop.order_items group by 1
        ) i using (order_id)
        where p.amount <> i.net
    """,
    "captured payment is not later than paid_at": """
        select p.payment_id from shop.payments p join shop.orders o using (order_id)
        where p.status in ('captured', 'refunded')
          and (p.attempted_at > o.paid_at or p.updated_at < o.paid_at)
    """,
    "one shipment exactly for paid, shipped and delivered orders": """
        select coalesce(o.order_id, s.order_id) from shop.orders o
        full join shop.shipments s on s.order_id = o.order_id
        where (s.shipment_id is null) <> (o.status not in ('paid', 'shipped', 'delivered'))
           or s.status <> case o.status
                when 'paid' then 'label_created' when 'shipped' then 'shipped' else 'delivered' end
    """,
    "shipment times and cost": """
        select s.shipment_id from shop.shipments s join shop.orders o using (order_id)
        where s.promised_at - o.paid_at not between interval '2 days' and interval '5 days'
           or s.created_at < o.paid_at or s.shipped_at < s.created_at
           or s.shipping_cost <= 0 or s.shipping_cost > 100
    """,
    "order lines are numbered 1..n and priced from the price list": """
        select i.order_item_id from shop.order_items i
        join shop.orders o using (order_id)
        join shop.products p using (product_id)
        where i.line_number > (select count(*) from shop.order_items j where j.order_id = i.order_id)
           or i.created_at <> o.ordered_at or p.created_at > o.ordered_at
           or i.unit_price <> (
               select pp.list_price from shop.product_prices pp
               where pp.product_id = i.product_id and pp.valid_from <= o.ordered_at
               order by pp.valid_from desc limit 1
           )
    """,
    "discounts come from a running promotion": """
        select i.order_item_id from shop.order_items i
        join shop.orders o using (order_id)
        left join shop.promotions m using (promotion_id)
        where (o.promotion_id is null and i.discount_amount <> 0)
           or (o.promotion_id is not null and (
                i.discount_amount <> round(m.discount_rate * i.quantity * i.unit_price, 2)
                or o.ordered_at < m.starts_at or o.ordered_at >= m.ends_at or m.status = 'cancelled'))
    """,
    "products hold their latest price": """
        select p.product_id from shop.products p
        join lateral (
            select list_price, unit_cost, valid_from from shop.product_prices pp
            where pp.product_id = p.product_id order by valid_from desc limit 1
        ) last on true
        where p.list_price <> last.list_price or p.unit_cost <> last.unit_cost
           or p.created_at <> (
               select min(valid_from) from shop.product_prices pp where pp.product_id = p.product_id
           )
    """,
    "returns only on delivered lines, 3 to 45 days after delivery": """
        select r.return_id from shop.returns r
        join shop.order_items i using (order_item_id)
        join shop.orders o using (order_id)
        left join shop.shipments s using (order_id)
        where o.status <> 'delivered'
           or r.requested_at < s.delivered_at + interval '3 days'
           or r.requested_at > s.delivered_at + interval '45 days'
    """,
    "returned units fit the line and the refund is the net price": """
        select r.return_id from shop.returns r
        join shop.order_items i using (order_item_id)
        where (select sum(quantity) from shop.returns q where q.order_item_id = r.order_item_id) > i.quantity
           or r.refund_amount <> case when r.status = 'refunded'
                then round(r.quantity * (i.unit_price - i.discount_amount / i.quantity), 2) else 0 end
    """,
    "return status has its timestamps": """
        select return_id from shop.returns
        where (status = 'requested' and received_at is not null)
           or (status in ('received', 'rejected') and (received_at is null or refunded_at is not null))
           or (status = 'refunded' and received_at is null)
           or (status = 'rejected' and updated_at <= received_at)
    """,
    "customers sign up before their first order": """
        select c.customer_id from shop.customers c
        where c.signed_up_at > (select min(ordered_at) from shop.orders o where o.customer_id = c.customer_id)
           or c.created_at <> c.signed_up_at
           or (c.status = 'closed') <> (c.updated_at > c.created_at)
    """,
    "emails are unique": """
        select email from shop.customers group by email having count(*) > 1
    """,
}


@pytest.mark.parametrize("name", list(INVARIANTS))
def test_invariant_holds(shop: psycopg.Connection, name: str) -> None:
    violations = shop.execute(INVARIANTS[name]).fetchall()
    assert violations == [], f"{name}: {len(violations)} violating rows, e.g. {violations[:5]}"


def test_nothing_happens_at_or_after_the_end(shop: psycopg.Connection) -> None:
    # Plans may point past the end (a promised delivery, a running promotion's end); events may not.
    columns = shop.execute(
        """
        select table_name, column_name from information_schema.columns
        where table_schema = 'shop' and data_type = 'timestamp with time zone'
          and (table_name, column_name) not in (('shipments', 'promised_at'), ('promotions', 'ends_at'))
        """
    ).fetchall()
    assert len(columns) > 25
    for table, column in columns:
        query = sql.SQL("select count(*) from {} where {} >= {}").format(
            sql.Identifier("shop", table), sql.Identifier(column), sql.SQL(END_TS)
        )
        assert _scalar(shop, query.as_string(shop)) == 0, f"{table}.{column}"
        query = sql.SQL("select count(*) from {} where updated_at < created_at").format(sql.Identifier("shop", table))
        assert _scalar(shop, query.as_string(shop)) == 0, table


def test_every_state_is_present_near_the_end(shop: psycopg.Connection) -> None:
    def states(query: str) -> set[str]:
        return {row[0] for row in shop.execute(query).fetchall()}

    assert states("select distinct status from shop.orders") == {
        "placed", "paid", "shipped", "delivered", "cancelled",
    }  # fmt: skip
    assert states("select distinct status from shop.payments") == {
        "authorized",
        "captured",
        "declined",
        "refunded",
    }
    assert states("select distinct status from shop.shipments") == {"label_created", "shipped", "delivered"}
    assert states("select distinct status from shop.returns") == {
        "requested",
        "received",
        "refunded",
        "rejected",
    }
    assert states("select distinct reason from shop.returns") == set(world.RETURN_REASONS)
    assert "ended" in states("select distinct status from shop.promotions")


def test_keys_indexes_and_triggers_exist(shop: psycopg.Connection) -> None:
    constraints = _scalar(
        shop,
        "select count(*) from pg_constraint c join pg_namespace n on n.oid = c.connamespace"
        " where n.nspname = 'shop' and c.contype in ('p', 'u', 'f')",
    )
    triggers = _scalar(
        shop,
        "select count(*) from pg_trigger t join pg_class c on c.oid = t.tgrelid"
        " join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'shop' and not t.tgisinternal",
    )
    declared = sum(
        db.sql_text(f"source/{name}.sql").count("add constraint")
        for name in ("create_source_keys", "create_source_foreign_keys")
    )
    assert constraints == declared
    assert _scalar(
        shop,
        "select count(*) from pg_constraint c join pg_namespace n on n.oid = c.connamespace"
        " where n.nspname = 'shop' and c.contype = 'f' and c.convalidated",
    ) == db.sql_text("source/create_source_foreign_keys.sql").count("foreign key")
    assert _scalar(shop, "select count(*) from pg_constraint where not convalidated") == 0
    assert _scalar(shop, "select count(*) from pg_namespace where nspname = 'shop_loading'") == 0
    assert triggers == len(TABLES)
    next_order = _scalar(shop, "select nextval(pg_get_serial_sequence('shop.orders', 'order_id'))")
    assert next_order == _scalar(shop, "select max(order_id) + 1 from shop.orders")
    shop.rollback()
