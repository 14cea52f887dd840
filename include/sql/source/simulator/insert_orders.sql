insert into shop.orders (order_id, customer_id, channel, promotion_id, ordered_at)
select
    o.order_id,
    o.customer_id,
    o.channel,
    o.promotion_id,
    o.ordered_at
from unnest(
    %(order_id)s::bigint[],
    %(customer_id)s::bigint[],
    %(channel)s::text[],
    %(promotion_id)s::bigint[],
    %(ordered_at)s::timestamptz[]
) as o (order_id, customer_id, channel, promotion_id, ordered_at);
