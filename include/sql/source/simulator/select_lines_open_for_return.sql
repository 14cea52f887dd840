-- Lines of orders delivered recently enough to still be returned, that have no return yet.
select
    i.order_item_id,
    i.quantity,
    p.category,
    s.delivered_at,
    s.delivered_at > s.promised_at as was_late
from shop.shipments as s
inner join shop.order_items as i on s.order_id = i.order_id
inner join shop.products as p on i.product_id = p.product_id
where
    s.status = 'delivered'
    and s.delivered_at >= %(delivered_since)s
    and not exists (
        select from shop.returns as r
        where r.order_item_id = i.order_item_id
    )
order by i.order_item_id;
