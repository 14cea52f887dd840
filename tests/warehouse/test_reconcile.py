"""The reconciliation of the mirror against the source: it finds each kind of drift, and the next run heals it."""

from __future__ import annotations

import psycopg

from globalcart.pipelines.reconcile import reconcile_mirror
from tests.support.mail import Mailbox
from tests.support.stack import Stack
from tests.support.star import CONTENT_QUERIES, assert_same_content, full_rebuild_content, star_content

KPIS = {
    "kpis": """
        select * from kpi.kpi_values where grain = 'month' and dimension_name = 'all' order by period_start""",
}
HELD = {
    "order_items": "select order_item_id from mirror.order_items where order_item_id = any(%s)",
    "returns": "select return_id from mirror.returns where return_id = any(%s)",
    "payments": "select payment_id from mirror.payments where payment_id = any(%s)",
    "shipments": "select shipment_id from mirror.shipments where shipment_id = any(%s)",
}
PENDING = "select table_name, source_key, kind from audit.mirror_drift where healed_at is null"


def _write_behind_the_watermark(stack: Stack) -> dict[tuple[str, str], str]:
    """Drift the source as a writer that ignores the contract would; returns the keys it drifted, by kind."""
    with psycopg.connect(stack.source.uri) as conn:
        conn.execute("set search_path = shop")
        # Triggers off: a manual fix that leaves updated_at as it was.
        conn.execute("set session_replication_role = replica")
        (item,) = conn.execute("select min(order_item_id) from order_items").fetchone()
        conn.execute("update order_items set unit_price = unit_price + 1 where order_item_id = %s", (item,))
        # An updated_at set backwards with the change.
        (order,) = conn.execute("select max(order_id) from orders where promotion_id is not null").fetchone()
        conn.execute(
            "update orders set promotion_id = null, updated_at = updated_at - interval '1 hour' where order_id = %s",
            (order,),
        )
        # A row inserted with an old updated_at.
        (new_payment,) = conn.execute(
            """insert into payments (payment_id, order_id, attempt_number, payment_method, provider, status, amount,
                                     decline_reason, attempted_at, created_at, updated_at)
               overriding system value
               select (select max(payment_id) + 1 from payments), order_id, attempt_number + 10, payment_method,
                      provider, 'declined', amount, 'insufficient_funds', attempted_at, attempted_at, attempted_at
               from payments where payment_id = (select min(payment_id) from payments)
               returning payment_id"""
        ).fetchone()
        # Hard deletes: one payment attempt, and a whole order with everything that hangs from it.
        (gone_payment,) = conn.execute(
            "select max(payment_id) from payments where payment_id < %s", (new_payment,)
        ).fetchone()
        conn.execute("delete from payments where payment_id = %s", (gone_payment,))
        (gone_order,) = conn.execute(
            """select min(o.order_id) from orders o join shipments s using (order_id)
               where o.order_id <> %s
                 and o.order_id not in (select order_id from order_items where order_item_id = %s)
                 and o.order_id not in (select order_id from payments where payment_id = %s)""",
            (order, item, new_payment),
        ).fetchone()
        items = [i for (i,) in conn.execute("select order_item_id from order_items where order_id = %s", (gone_order,))]
        returns = conn.execute(
            "delete from returns where order_item_id = any(%s) returning return_id", (items,)
        ).fetchall()
        payments = conn.execute(
            "delete from payments where order_id = %s returning payment_id", (gone_order,)
        ).fetchall()
        shipments = conn.execute(
            "delete from shipments where order_id = %s returning shipment_id", (gone_order,)
        ).fetchall()
        conn.execute("delete from order_items where order_id = %s", (gone_order,))
        conn.execute("delete from orders where order_id = %s", (gone_order,))
        conn.commit()
        # An ordinary change after the last run (the trigger moves updated_at): not drift, the next run loads it.
        conn.execute("set session_replication_role = origin")
        conn.execute(
            "update customers set segment = 'vip' where customer_id = (select min(customer_id) from customers)"
        )
        conn.commit()
    drifted = {
        ("order_items", str(item)): "differs",
        ("orders", str(order)): "differs",
        ("payments", str(new_payment)): "missing_in_mirror",
        ("payments", str(gone_payment)): "deleted_in_source",
        ("orders", str(gone_order)): "deleted_in_source",
    }
    children = {
        "order_items": items,
        "returns": [r for (r,) in returns],
        "payments": [p for (p,) in payments],
        "shipments": [s for (s,) in shipments],
    }
    for table, keys in children.items():
        # Only what the mirror holds can have been deleted from under it (the contract refuses some rows).
        held = stack.warehouse_sql(HELD[table], (keys,))
        drifted |= {(table, str(key)): "deleted_in_source" for (key,) in held}
    return drifted


def test_reconciliation_finds_each_kind_of_drift_and_the_next_run_heals_it(stack: Stack, mailbox: Mailbox) -> None:
    stack.run()
    clean = reconcile_mirror(source=stack.source, warehouse=stack.warehouse, bucket_size=50)
    assert clean.keys_differing == 0 and not mailbox.messages

    drifted = _write_behind_the_watermark(stack)
    found = reconcile_mirror(source=stack.source, warehouse=stack.warehouse, bucket_size=50)
    recorded = {(table, key): kind for table, key, kind in stack.warehouse_sql(PENDING)}
    assert recorded == drifted
    assert found.keys_differing == len(drifted)
    assert len(mailbox.messages) == 1
    subject = mailbox.subjects()[0]
    assert subject.startswith(f"[GlobalCart 360] Drift: the mirror differs from the source in {len(drifted)} keys")
    assert "next incremental run re-extracts exactly these keys" in mailbox.text(0)

    # The next run re-extracts the drifted keys whatever their updated_at, and heals them.
    stack.run(publish=True)
    assert stack.warehouse_sql(PENDING) == []
    order_key = next(int(key) for (table, key), kind in drifted.items() if table == "orders" and kind == "differs")
    assert stack.warehouse_sql("select promotion_id from mirror.orders where order_id = %s", (order_key,)) == [(None,)]
    deleted = [int(key) for (table, key), kind in drifted.items() if table == "orders" and kind == "deleted_in_source"]
    assert stack.warehouse_sql("select count(*) from dw.fct_order_line where order_id = any(%s)", (deleted,)) == [(0,)]
    queries = CONTENT_QUERIES | KPIS
    assert_same_content(star_content(stack, queries), full_rebuild_content(stack, queries))

    # Healed: a second reconciliation finds nothing, and says nothing.
    again = reconcile_mirror(source=stack.source, warehouse=stack.warehouse, bucket_size=50)
    assert again.keys_differing == 0 and len(mailbox.messages) == 1
