-- Source order lines and orders the contract rejected and that never made it
-- in: the reconciliation leaves them out of the source's totals (they are
-- accounted for in audit.rejected_rows).
select
    coalesce(
        array_agg(distinct r.source_key::bigint) filter (
            where r.table_name = 'order_items'
            and not exists (
                select from mirror.order_items as m
                where m.order_item_id = r.source_key::bigint
            )
        ),
        array[]::bigint[]
    ) as order_item_ids,
    coalesce(
        array_agg(distinct r.source_key::bigint) filter (
            where r.table_name = 'orders'
            and not exists (
                select from mirror.orders as m
                where m.order_id = r.source_key::bigint
            )
        ),
        array[]::bigint[]
    ) as order_ids
from audit.rejected_rows as r
where
    r.table_name in ('order_items', 'orders')
    and r.source_key ~ '^[0-9]+$';
