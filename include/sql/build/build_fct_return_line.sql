-- Rebuild the returned lines touched by anything merged since the last build: the
-- return (refunds weeks after the order land here), its order line, its order,
-- its shipment (days after delivery, late delivery) or its customer.

lock table mirror.orders, mirror.order_items, mirror.returns, mirror.shipments, mirror.customers in share mode;

create temp table build_window on commit drop as
select
    coalesce(
        (
            select p.built_through_merge_seq from audit.build_progress as p
            where p.target_table = 'fct_return_line'
        ), 0
    ) as built_after,
    (select case when s.is_called then s.last_value else 0 end from mirror.merge_seq as s) as built_through;

create temp table affected_returns on commit drop as
select r.return_id
from mirror.returns as r
inner join build_window as w on r.merge_seq > w.built_after
union
select r.return_id
from mirror.order_items as i
inner join build_window as w on i.merge_seq > w.built_after
inner join mirror.returns as r on i.order_item_id = r.order_item_id
union
select r.return_id
from mirror.orders as o
inner join build_window as w on o.merge_seq > w.built_after
inner join mirror.order_items as i on o.order_id = i.order_id
inner join mirror.returns as r on i.order_item_id = r.order_item_id
union
select r.return_id
from mirror.shipments as s
inner join build_window as w on s.merge_seq > w.built_after
inner join mirror.order_items as i on s.order_id = i.order_id
inner join mirror.returns as r on i.order_item_id = r.order_item_id
union
select r.return_id
from mirror.customers as c
inner join build_window as w on c.merge_seq > w.built_after
inner join mirror.orders as o on c.customer_id = o.customer_id
inner join mirror.order_items as i on o.order_id = i.order_id
inner join mirror.returns as r on i.order_item_id = r.order_item_id;

insert into dw.dim_customer (customer_id, region, segment, valid_from, is_inferred)
select distinct
    o.customer_id,
    'unknown',
    'unknown',
    '-infinity'::timestamptz,
    true
from affected_returns as a
inner join mirror.returns as r on a.return_id = r.return_id
inner join mirror.order_items as i on r.order_item_id = i.order_item_id
inner join mirror.orders as o on i.order_id = o.order_id
where
    not exists (
        select from dw.dim_customer as d
        where d.customer_id = o.customer_id
    )
on conflict do nothing;

insert into dw.dim_product (product_id, category, valid_from, is_inferred)
select distinct
    i.product_id,
    'unknown',
    '-infinity'::timestamptz,
    true
from affected_returns as a
inner join mirror.returns as r on a.return_id = r.return_id
inner join mirror.order_items as i on r.order_item_id = i.order_item_id
where
    not exists (
        select from dw.dim_product as d
        where d.product_id = i.product_id
    )
on conflict do nothing;

-- Returns whose order line or order has not arrived yet wait in the mirror.
insert into dw.fct_return_line as f (
    return_id, order_item_id, order_id, requested_date_key, customer_key, product_key, return_status, reason,
    quantity, refund_amount, requested_at, received_at, refunded_at, delivered_at, days_after_delivery,
    followed_late_delivery, source_updated_at
)
select
    r.return_id,
    r.order_item_id,
    i.order_id,
    to_char(r.requested_at at time zone 'UTC', 'YYYYMMDD')::integer as requested_date_key,
    dc.customer_key,
    dp.product_key,
    r.status as return_status,
    r.reason,
    r.quantity,
    r.refund_amount,
    r.requested_at,
    r.received_at,
    r.refunded_at,
    s.delivered_at,
    round((extract(epoch from r.requested_at - s.delivered_at) / 86400)::numeric, 2) as days_after_delivery,
    s.delivered_at > s.promised_at as followed_late_delivery,
    greatest(r.updated_at, i.updated_at, o.updated_at, s.updated_at) as source_updated_at
from affected_returns as a
inner join mirror.returns as r on a.return_id = r.return_id
inner join mirror.order_items as i on r.order_item_id = i.order_item_id
inner join mirror.orders as o on i.order_id = o.order_id
left join mirror.shipments as s on i.order_id = s.order_id
inner join dw.dim_customer as dc
    on
        o.customer_id = dc.customer_id
        and o.ordered_at >= dc.valid_from
        and o.ordered_at < dc.valid_to
inner join dw.dim_product as dp
    on
        i.product_id = dp.product_id
        and o.ordered_at >= dp.valid_from
        and o.ordered_at < dp.valid_to
on conflict (return_id) do update
    set
        order_item_id = excluded.order_item_id,
        order_id = excluded.order_id,
        requested_date_key = excluded.requested_date_key,
        customer_key = excluded.customer_key,
        product_key = excluded.product_key,
        return_status = excluded.return_status,
        reason = excluded.reason,
        quantity = excluded.quantity,
        refund_amount = excluded.refund_amount,
        requested_at = excluded.requested_at,
        received_at = excluded.received_at,
        refunded_at = excluded.refunded_at,
        delivered_at = excluded.delivered_at,
        days_after_delivery = excluded.days_after_delivery,
        followed_late_delivery = excluded.followed_late_delivery,
        source_updated_at = excluded.source_updated_at
    where f is distinct from excluded;

insert into audit.build_progress (target_table, built_through_merge_seq, run_id)
select
    'fct_return_line',
    w.built_through,
    %(run_id)s
from build_window as w
on conflict (target_table) do update
    set
        built_through_merge_seq = excluded.built_through_merge_seq,
        run_id = excluded.run_id,
        built_at = now();
